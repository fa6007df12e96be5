namespace AgentFense.Fuse;

/// <summary>How a mount is made.</summary>
public enum MountMethod
{
    /// <summary>mount(2) when the effective uid is 0, else fusermount3.</summary>
    Auto,
    /// <summary>mount(2) on a /dev/fuse descriptor; needs CAP_SYS_ADMIN.</summary>
    Kernel,
    /// <summary>The setuid fusermount3 helper, which passes the /dev/fuse descriptor back over a socket.</summary>
    Fusermount,
}
