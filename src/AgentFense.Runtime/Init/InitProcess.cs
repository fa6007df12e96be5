using static AgentFense.Runtime.Spawning.NativeStrings;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace AgentFense.Runtime.Init;

/// <summary>
/// agentfense-init running as a child of this process, connected through a socketpair: the
/// child's end is dup2'd to <see cref="InitLaunchOptions.SocketFd"/> by posix_spawn (so it leaks
/// into no other child), stdin is /dev/null, stdout and stderr are inherited. Closing the client
/// makes init kill everything and exit.
/// </summary>
public sealed class InitProcess : IAsyncDisposable
{
    private readonly Lazy<Task<int>> _exit;

    private InitProcess(int pid, InitClient client)
    {
        Pid = pid;
        Client = client;
        _exit = new Lazy<Task<int>>(() => Task.Factory.StartNew(WaitBlocking, CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default));
    }

    /// <summary>Init's pid.</summary>
    public int Pid { get; }

    /// <summary>The connected client (Hello received).</summary>
    public InitClient Client { get; }

    /// <summary>Starts init and waits until it is ready.</summary>
    public static async Task<InitProcess> StartAsync(InitLaunchOptions options, CancellationToken cancellationToken = default)
    {
        var (parent, child) = CreateSocketPair();
        int pid;
        try
        {
            string[] argv = [options.FileName, .. options.Arguments, "--fd", options.SocketFd.ToString(System.Globalization.CultureInfo.InvariantCulture)];
            var error = Spawn(options.FileName, argv, [.. options.Environment], child, options.SocketFd, out pid);
            if (error != 0)
                throw new InitException($"posix_spawn '{options.FileName}' failed: errno {error}");
        }
        finally
        {
            Interop.Libc.close(child);
        }
        var socket = new Socket(new SafeSocketHandle(parent, ownsHandle: true));
        InitClient client;
        try
        {
            client = await InitClient.ConnectAsync(socket, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Interop.Libc.kill(pid, Interop.Libc.SIGKILL);
            ReapBlocking(pid);
            throw;
        }
        return new InitProcess(pid, client);
    }

    /// <summary>Waits for init to exit; returns its exit code, or 128 + the signal that killed it.</summary>
    public Task<int> WaitForExitAsync() => _exit.Value;

    /// <summary>SIGKILLs init (everything in its pid namespace dies with it when it is PID 1).</summary>
    public void Kill() => Interop.Libc.kill(Pid, Interop.Libc.SIGKILL);

    /// <summary>Closes the connection, waits up to five seconds for init to exit, then kills it.</summary>
    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync().ConfigureAwait(false);
        var exit = WaitForExitAsync();
        if (await Task.WhenAny(exit, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false) != exit)
            Kill();
        await exit.ConfigureAwait(false);
    }

    private int WaitBlocking() => ReapBlocking(Pid);

    private static unsafe int ReapBlocking(int child)
    {
        while (true)
        {
            int status;
            var pid = Interop.Libc.waitpid(child, &status, 0);
            if (pid == child)
                return Interop.Libc.WIFSIGNALED(status) ? 128 + Interop.Libc.WTERMSIG(status) : Interop.Libc.WEXITSTATUS(status);
            if (Marshal.GetLastPInvokeError() != 4) // EINTR
                return -1;
        }
    }

    private static unsafe (nint Parent, int Child) CreateSocketPair()
    {
        int* fds = stackalloc int[2];
        if (Interop.Libc.socketpair(Interop.Libc.AF_UNIX, Interop.Libc.SOCK_STREAM | Interop.Libc.SOCK_CLOEXEC, 0, fds) != 0)
            throw new InitException($"socketpair(AF_UNIX, SOCK_STREAM) failed: errno {Marshal.GetLastPInvokeError()}");
        return (fds[0], fds[1]);
    }

    private static unsafe int Spawn(string path, string[] argv, string[] env, int socketFd, int targetFd, out int pid) =>
        Spawning.NativeSpawn.Spawn(path, argv, env, (actions, owned) =>
        {
            Interop.Libc.posix_spawn_file_actions_addopen(actions, 0, (byte*)Native("/dev/null", owned), Interop.Libc.O_RDONLY, 0);
            // dup2 clears close-on-exec on the target, but not when both numbers match: go through a spare number then.
            if (socketFd == targetFd)
            {
                const int spare = 255;
                Interop.Libc.posix_spawn_file_actions_adddup2(actions, socketFd, spare);
                Interop.Libc.posix_spawn_file_actions_adddup2(actions, spare, targetFd);
                Interop.Libc.posix_spawn_file_actions_addclose(actions, spare);
            }
            else
            {
                Interop.Libc.posix_spawn_file_actions_adddup2(actions, socketFd, targetFd);
            }
        }, out pid);
}
