using System.Diagnostics;

namespace AgentFense.Runtime.Docker;

/// <summary>
/// What agentfense-init needs to start in any image. A NativeAOT init linked against the host's glibc
/// would not start in a musl or busybox image, so the host's dynamic loader and the libraries init needs
/// are bound read-only under <c>/.agentfense/lib</c> and the loader runs init with
/// <c>--library-path</c> pointing there: nothing of the image's libc is used by init, and nothing of
/// ours leaks into the commands (no <c>LD_LIBRARY_PATH</c>; they run the image's own programs and libc).
/// A static init needs none of it.
/// </summary>
/// <param name="Interpreter">Host path of the ELF interpreter; null for a static binary.</param>
/// <param name="Libraries">Host paths of the shared libraries init needs (resolved through symlinks).</param>
internal sealed record class InitLoader(string? Interpreter, IReadOnlyList<(string Name, string HostPath)> Libraries)
{
    /// <summary>Where init's directory appears in the box.</summary>
    public const string BoxDirectory = "/.agentfense";

    /// <summary>Where the init binary appears in the box.</summary>
    public const string InitInBox = BoxDirectory + "/init";

    /// <summary>Where the loader and libraries appear in the box.</summary>
    public const string LibraryDirectoryInBox = BoxDirectory + "/lib";

    /// <summary>The directory holding the socket init connects to, in the box.</summary>
    public const string RunDirectoryInBox = BoxDirectory + "/run";

    /// <summary>The socket init connects to, in the box.</summary>
    public const string SocketInBox = RunDirectoryInBox + "/init.sock";

    /// <summary>The container's entrypoint: init (through the loader when dynamic) connecting back to the engine.</summary>
    public IReadOnlyList<string> Entrypoint => Interpreter is null
        ? [InitInBox, "--connect", SocketInBox]
        : [$"{LibraryDirectoryInBox}/{Path.GetFileName(Interpreter)}", "--library-path", LibraryDirectoryInBox, InitInBox, "--connect", SocketInBox];

    /// <summary>The read-only binds: host path → box path (the interpreter among the libraries).</summary>
    public IEnumerable<(string HostPath, string BoxPath)> Binds()
    {
        if (Interpreter is not null)
            yield return (Resolve(Interpreter), $"{LibraryDirectoryInBox}/{Path.GetFileName(Interpreter)}");
        foreach (var (name, hostPath) in Libraries)
            yield return (hostPath, $"{LibraryDirectoryInBox}/{name}");
    }

    /// <summary>Asks <c>ldd</c> what <paramref name="initPath"/> needs.</summary>
    /// <exception cref="InvalidOperationException">ldd failed on a dynamic binary, or named a library it could not find.</exception>
    public static InitLoader Probe(string initPath)
    {
        var start = new ProcessStartInfo("ldd", [initPath]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("ldd could not be started");
        var stderr = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var error = stderr.GetAwaiter().GetResult();
        if (output.Contains("not a dynamic executable", StringComparison.Ordinal) || error.Contains("not a dynamic executable", StringComparison.Ordinal)
            || output.Contains("statically linked", StringComparison.Ordinal))
            return new InitLoader(null, []);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"ldd {initPath} failed ({process.ExitCode}): {error.Trim()}");
        return Parse(output);
    }

    /// <summary>Reads ldd's lines: <c>name =&gt; /path (0x..)</c> for libraries, <c>/path (0x..)</c> for the interpreter.</summary>
    internal static InitLoader Parse(string lddOutput)
    {
        string? interpreter = null;
        var libraries = new List<(string, string)>();
        foreach (var raw in lddOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var line = raw;
            var address = line.LastIndexOf(" (0x", StringComparison.Ordinal);
            if (address >= 0)
                line = line[..address];
            var arrow = line.IndexOf(" => ", StringComparison.Ordinal);
            if (arrow >= 0)
            {
                var name = line[..arrow].Trim();
                var path = line[(arrow + 4)..].Trim();
                if (path == "not found")
                    throw new InvalidOperationException($"init needs {name}, which ldd could not find");
                if (path.StartsWith('/'))
                    libraries.Add((name, Resolve(path)));
            }
            else if (line.StartsWith('/'))
            {
                interpreter = line.Trim();
            }
        }
        return new InitLoader(interpreter, libraries);
    }

    private static string Resolve(string path) =>
        File.Exists(path) ? new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path : path;
}
