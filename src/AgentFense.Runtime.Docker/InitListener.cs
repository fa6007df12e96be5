using System.Net.Sockets;

namespace AgentFense.Runtime.Docker;

/// <summary>
/// The unix socket a container's init connects back to: <c>docker/&lt;id&gt;/init.sock</c> of the state
/// directory, its directory bound into the box. Only the box user may connect (the directory and socket
/// belong to it, mode 0700/0600), and the socket file is removed once init has connected.
/// </summary>
internal sealed class InitListener : IDisposable
{
    private readonly Socket _socket;

    private InitListener(string directory, Socket socket)
    {
        Directory = directory;
        _socket = socket;
    }

    /// <summary>The host directory bound at <see cref="InitLoader.RunDirectoryInBox"/>.</summary>
    public string Directory { get; }

    /// <summary>The host directory of the box's <c>/etc</c> files (<see cref="BoxUser"/>), beside the run directory.</summary>
    public string EtcDirectory => Directory + ".etc";

    private string SocketPath => Path.Combine(Directory, "init.sock");

    /// <summary>Creates the directory (emptied if a predecessor left it) and listens.</summary>
    public static InitListener Create(string stateDirectory, string id, uint uid, uint gid)
    {
        var directory = Path.Combine(stateDirectory, "docker", id);
        foreach (var leftover in new[] { directory, directory + ".etc" })
        {
            if (System.IO.Directory.Exists(leftover))
                System.IO.Directory.Delete(leftover, recursive: true);
        }
        System.IO.Directory.CreateDirectory(directory);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            var path = Path.Combine(directory, "init.sock");
            socket.Bind(new UnixDomainSocketEndPoint(path));
            socket.Listen(1);
            Own(directory, path, uid, gid);
            return new InitListener(directory, socket);
        }
        catch
        {
            socket.Dispose();
            System.IO.Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>Waits for init's connection, then stops listening and removes the socket file.</summary>
    public async Task<Socket> AcceptAsync(CancellationToken cancellationToken)
    {
        var connection = await _socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
        _socket.Dispose();
        File.Delete(SocketPath);
        return connection;
    }

    /// <summary>Stops listening and removes the run and etc directories.</summary>
    public void Dispose()
    {
        _socket.Dispose();
        foreach (var directory in new[] { Directory, EtcDirectory })
        {
            try
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }

    /// <summary>Removes <c>docker/&lt;id&gt;/</c> directories of boxes that are gone (after a crash).</summary>
    public static void RemoveAll(string stateDirectory, Func<string, bool> keep)
    {
        var root = Path.Combine(stateDirectory, "docker");
        if (!System.IO.Directory.Exists(root))
            return;
        foreach (var directory in System.IO.Directory.EnumerateDirectories(root))
        {
            var name = Path.GetFileName(directory);
            if (keep(name.EndsWith(".etc", StringComparison.Ordinal) ? name[..^4] : name))
                continue;
            try
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
                // Its box's own teardown (the container went away under it) got there first.
            }
        }
    }

    private static void Own(string directory, string socket, uint uid, uint gid)
    {
        // As root: only the box user may enter and connect. Not root: the engine's own user is all we can give
        // it, so the socket must be open to others (its directory still hides nothing else).
        if (Interop.Libc.fchownat(-100, directory, uid, gid, 0) == 0 && Interop.Libc.fchownat(-100, socket, uid, gid, 0) == 0)
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.SetUnixFileMode(socket, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        else
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherExecute | UnixFileMode.GroupExecute);
            File.SetUnixFileMode(socket, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
        }
    }
}
