namespace AgentFense.Init;

/// <summary>The errno values init acts on (asm-generic/errno-base.h).</summary>
internal static class Errno
{
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EIO = 5;
    public const int ECHILD = 10;
    public const int EAGAIN = 11;
    public const int ENOTDIR = 20;
    public const int EINVAL = 22;
    public const int EPIPE = 32;
}
