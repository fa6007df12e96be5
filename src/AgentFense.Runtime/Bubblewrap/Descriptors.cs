using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace AgentFense.Runtime.Bubblewrap;

/// <summary>
/// Descriptors handed to a spawned box process. Every one is created close-on-exec: the spawn
/// thread dup2s exactly the ones a child should get, so none leaks into another child.
/// </summary>
internal static class Descriptors
{
    /// <summary>A connected AF_UNIX stream pair: ours as a <see cref="Socket"/>, the child's as a raw fd.</summary>
    public static unsafe (Socket Ours, int Theirs) SocketPair()
    {
        int* fds = stackalloc int[2];
        if (Interop.Libc.socketpair(Interop.Libc.AF_UNIX, Interop.Libc.SOCK_STREAM | Interop.Libc.SOCK_CLOEXEC, 0, fds) != 0)
            throw new IOException($"socketpair(AF_UNIX, SOCK_STREAM) failed: errno {Marshal.GetLastPInvokeError()}");
        return (new Socket(new SafeSocketHandle(fds[0], ownsHandle: true)), fds[1]);
    }

    /// <summary>A pipe already holding <paramref name="content"/> with its write end closed: the child reads it to EOF.</summary>
    public static unsafe int FilledPipe(ReadOnlySpan<byte> content)
    {
        int* fds = stackalloc int[2];
        if (Interop.Libc.pipe2(fds, Interop.Libc.O_CLOEXEC) != 0)
            throw new IOException($"pipe2(O_CLOEXEC) failed: errno {Marshal.GetLastPInvokeError()}");
        // The default pipe buffer (64 KiB) holds every file we pass; a larger one would block here.
        if (content.Length > 64 * 1024)
        {
            Interop.Libc.close(fds[0]);
            Interop.Libc.close(fds[1]);
            throw new ArgumentException($"{content.Length} bytes do not fit a pipe buffer", nameof(content));
        }
        using (var write = new SafeFileHandle(fds[1], ownsHandle: true))
        {
            fixed (byte* p = content)
            {
                var done = 0;
                while (done < content.Length)
                {
                    var n = Interop.Libc.write(write, p + done, (nuint)(content.Length - done));
                    if (n <= 0)
                    {
                        Interop.Libc.close(fds[0]);
                        throw new IOException($"write to pipe failed: errno {Marshal.GetLastPInvokeError()}");
                    }
                    done += (int)n;
                }
            }
        }
        return fds[0];
    }

    /// <summary>Closes raw descriptors (ignoring -1).</summary>
    public static void Close(params ReadOnlySpan<int> fds)
    {
        foreach (var fd in fds)
        {
            if (fd >= 0)
                Interop.Libc.close(fd);
        }
    }
}
