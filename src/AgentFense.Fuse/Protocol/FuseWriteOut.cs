using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_write_out (include/uapi/linux/fuse.h): WRITE and COPY_FILE_RANGE, 8 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseWriteOut
{
    public uint Size;
    public uint Padding;
}
