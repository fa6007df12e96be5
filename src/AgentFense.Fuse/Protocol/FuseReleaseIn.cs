using System.Runtime.InteropServices;

namespace AgentFense.Fuse.Protocol;

/// <summary>struct fuse_release_in (include/uapi/linux/fuse.h): RELEASE and RELEASEDIR, 24 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseReleaseIn
{
    public ulong Fh;
    public int Flags;
    public uint ReleaseFlags;
    public ulong LockOwner;
}
