using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace AgentFense.Init;

/// <summary>PTY pairs: posix_openpt, grantpt, unlockpt, ptsname_r (man 3 posix_openpt), size and echo through ioctl.</summary>
internal static unsafe class Pty
{
    /// <summary>Opens a master (non-blocking, close-on-exec) and init's copy of the slave; returns 0 or an errno.</summary>
    public static int Open(ushort cols, ushort rows, out SafeFileHandle master, out SafeFileHandle slave, out string slavePath)
    {
        master = slave = null!;
        slavePath = string.Empty;
        var fd = Interop.Libc.posix_openpt(Interop.Libc.O_RDWR | Interop.Libc.O_NOCTTY | Interop.Libc.O_CLOEXEC);
        if (fd < 0)
            return Marshal.GetLastPInvokeError();
        var m = new SafeFileHandle(fd, ownsHandle: true);
        if (Interop.Libc.grantpt(m) != 0 || Interop.Libc.unlockpt(m) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            m.Dispose();
            return errno;
        }
        var name = stackalloc byte[128];
        var error = Interop.Libc.ptsname_r(m, name, 128);
        if (error != 0)
        {
            m.Dispose();
            return error;
        }
        slavePath = Encoding.UTF8.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(name));
        var s = Interop.Libc.openat(-100, slavePath, Interop.Libc.O_RDWR | Interop.Libc.O_NOCTTY | Interop.Libc.O_CLOEXEC, 0);
        if (s < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            m.Dispose();
            return errno;
        }
        slave = new SafeFileHandle(s, ownsHandle: true);
        SetSize(m, cols == 0 ? (ushort)80 : cols, rows == 0 ? (ushort)24 : rows);
        InitServer.SetNonBlocking(m);
        master = m;
        return 0;
    }

    /// <summary>A second descriptor for the master, so stdin and output each own one.</summary>
    public static SafeFileHandle? Duplicate(SafeFileHandle master)
    {
        const int F_DUPFD_CLOEXEC = 1030;
        var fd = Interop.Libc.fcntl(master, F_DUPFD_CLOEXEC, 3);
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>ioctl(TIOCSWINSZ); returns 0 or an errno.</summary>
    public static int SetSize(SafeFileHandle master, ushort cols, ushort rows)
    {
        var size = new Interop.Libc.winsize { ws_col = cols, ws_row = rows };
        return Interop.Libc.ioctl(master, Interop.Libc.TIOCSWINSZ, &size) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>Turns the terminal's echo off (TCGETS/TCSETS), so a session's commands are not echoed back.</summary>
    public static void DisableEcho(SafeFileHandle fd)
    {
        var termios = stackalloc byte[Interop.Libc.TermiosSize];
        if (Interop.Libc.ioctl(fd, Interop.Libc.TCGETS, termios) != 0)
            return;
        var lflag = (uint*)(termios + Interop.Libc.TermiosLflagOffset);
        *lflag &= ~Interop.Libc.ECHO;
        Interop.Libc.ioctl(fd, Interop.Libc.TCSETS, termios);
    }
}
