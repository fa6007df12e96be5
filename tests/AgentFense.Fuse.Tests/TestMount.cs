using System.Diagnostics;

namespace AgentFense.Fuse.Tests;

/// <summary>A temp directory with a filesystem mounted on it; Dispose unmounts (also after a failed test) and deletes it.</summary>
internal sealed class TestMount : IDisposable
{
    private TestMount(string path, FuseSession session)
    {
        Path = path;
        Session = session;
    }

    public string Path { get; }

    public FuseSession Session { get; }

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    public static TestMount Create(IFuseFileSystem fs, MountOptions? options = null, FuseServer? server = null, string? parent = null)
    {
        var path = System.IO.Path.Combine(parent ?? System.IO.Path.GetTempPath(), "agentfense-fuse-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(path);
        try
        {
            options ??= new MountOptions();
            options = options with { Log = options.Log ?? TestLog.Write };
            server ??= FuseServer.Shared;
            server.Log ??= TestLog.Write;
            return new TestMount(path, server.Mount(path, fs, options));
        }
        catch
        {
            Directory.Delete(path);
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            Session.Dispose();
        }
        finally
        {
            // Belt and braces: never leave a mount behind, even if the session misbehaved.
            if (FuseMounts.List(Path).Count > 0)
                FuseMounter.Unmount(Path, viaFusermount: false, log: null);
            try
            {
                Directory.Delete(Path);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Runs a /bin/sh script with the mount as working directory.</summary>
    public (int ExitCode, string Stdout, string Stderr) Sh(string script) => Shell.Run(script, Path);
}

internal static class Shell
{
    public static (int ExitCode, string Stdout, string Stderr) Run(string script, string workingDirectory)
    {
        var psi = new ProcessStartInfo("/bin/sh") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"sh -c '{script}' did not finish");
        }
        return (process.ExitCode, stdout, stderr.Result);
    }
}

internal static class TestLog
{
    private static readonly object s_lock = new();

    /// <summary>Session diagnostics go to a file: xunit does not show stderr of passing tests, and failing ones need it.</summary>
    public static void Write(string message)
    {
        lock (s_lock)
            File.AppendAllText(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "agentfense-fuse-tests.log"), $"{DateTime.Now:HH:mm:ss.fff} {message}\n");
    }
}
