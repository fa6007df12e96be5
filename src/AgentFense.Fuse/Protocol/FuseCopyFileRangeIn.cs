using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_copy_file_range_in (include/uapi/linux/fuse.h, 7.28), 56 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseCopyFileRangeIn
{
    public ulong FhIn;
    public ulong OffIn;
    public ulong NodeIdOut;
    public ulong FhOut;
    public ulong OffOut;
    public ulong Len;
    public ulong Flags;
}
