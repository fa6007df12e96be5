using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace AgentFense.Init;

/// <summary>
/// agentfense-init: PID 1 of a box (or a plain child process in tests). Usage:
/// <c>agentfense-init [--fd N | --connect PATH]</c> — serves the engine on the inherited socket N
/// (default 3), or on a connection it makes to the unix socket PATH (for runtimes that cannot pass a
/// descriptor into the box, such as Docker: the engine listens on a socket bound into the box).
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var fd = 3;
        string? connectPath = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--fd" && i + 1 < args.Length && int.TryParse(args[i + 1], out var n) && n >= 0)
            {
                fd = n;
                i++;
            }
            else if (args[i] == "--connect" && i + 1 < args.Length && args[i + 1].Length > 0)
            {
                connectPath = args[i + 1];
                i++;
            }
            else
            {
                InitServer.Log($"usage: agentfense-init [--fd N | --connect PATH] (unknown argument '{args[i]}')");
                return 2;
            }
        }
        if (connectPath is not null)
        {
            fd = Connect(connectPath);
            if (fd < 0)
                return 2;
        }
        var socket = new SafeFileHandle(fd, ownsHandle: true);
        if (Interop.Libc.fcntl(socket, Interop.Libc.F_GETFD, 0) < 0)
        {
            InitServer.Log($"fd {fd} is not open (errno {Marshal.GetLastPInvokeError()})");
            return 2;
        }
        Prepare();
        InitServer.SetNonBlocking(socket);
        return new InitServer(socket).Run();
    }

    /// <summary>Connects a stream socket to the unix socket at <paramref name="path"/>; the descriptor, or -1 after saying why.</summary>
    private static unsafe int Connect(string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path);
        if (bytes.Length >= Interop.Libc.UnixPathMax)
        {
            InitServer.Log($"socket path '{path}' is longer than {Interop.Libc.UnixPathMax - 1} bytes");
            return -1;
        }
        var fd = Interop.Libc.socket(Interop.Libc.AF_UNIX, Interop.Libc.SOCK_STREAM | Interop.Libc.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            InitServer.Log($"socket(AF_UNIX) failed: errno {Marshal.GetLastPInvokeError()}");
            return -1;
        }
        var address = new Interop.Libc.SockaddrUn { Family = Interop.Libc.AF_UNIX };
        bytes.CopyTo(new Span<byte>(address.Path, Interop.Libc.UnixPathMax));
        int result;
        do
            result = Interop.Libc.connect(fd, &address, (uint)(sizeof(ushort) + bytes.Length + 1));
        while (result < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR);
        if (result < 0)
        {
            InitServer.Log($"connect('{path}') failed: errno {Marshal.GetLastPInvokeError()}");
            Interop.Libc.close(fd);
            return -1;
        }
        return fd;
    }

    /// <summary>Process-wide setup, in order; each step is best effort and says so when it fails.</summary>
    private static void Prepare()
    {
        // Orphans of the commands come to init (already so as PID 1 of a pid namespace).
        if (Interop.Libc.prctl(Interop.Libc.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
            InitServer.Log($"prctl(PR_SET_CHILD_SUBREAPER, 1) failed: errno {Marshal.GetLastPInvokeError()}");
        // A write to a closed socket or pipe must return EPIPE, not kill init.
        Interop.Libc.signal(Interop.Libc.SIGPIPE, Interop.Libc.SIG_IGN);
        // Nothing init inherited may leak into commands: the socket and any stray descriptor become close-on-exec.
        if (Interop.Libc.close_range(3, uint.MaxValue, Interop.Libc.CLOSE_RANGE_CLOEXEC) != 0)
            InitServer.Log($"close_range(3, ~0, CLOSE_RANGE_CLOEXEC) failed: errno {Marshal.GetLastPInvokeError()}");
        // fds 0-2 must be taken, or a pipe could land there and be clobbered by a child's dup2.
        while (true)
        {
            var devNull = Interop.Libc.openat(-100, "/dev/null", Interop.Libc.O_RDWR, 0);
            if (devNull < 0 || devNull > 2)
            {
                if (devNull > 2)
                    Interop.Libc.close(devNull);
                break;
            }
        }
    }
}
