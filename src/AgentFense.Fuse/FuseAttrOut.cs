using System.Runtime.InteropServices;

namespace AgentFense.Fuse;

/// <summary>struct fuse_attr_out (include/uapi/linux/fuse.h): the reply to GETATTR and SETATTR, 104 bytes on the wire.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct FuseAttrOut
{
    /// <summary>Seconds the kernel may cache the attributes.</summary>
    public ulong AttrValid;
    /// <summary>Nanoseconds part of <see cref="AttrValid"/>.</summary>
    public uint AttrValidNsec;
    private readonly uint _dummy;
    /// <summary>The attributes.</summary>
    public FuseAttr Attr;

    /// <summary>Sets <see cref="AttrValid"/> and <see cref="AttrValidNsec"/> from a timeout.</summary>
    public void SetAttrTimeout(TimeSpan timeout) => (AttrValid, AttrValidNsec) = FuseTime.Split(timeout);
}
