using System.Diagnostics;

namespace AgentFense.SandboxFs.Tests.Mount;

/// <summary>Runs <c>/bin/sh -c</c> in a directory, as root or (through setpriv) as another uid.</summary>
internal static class Shell
{
    public static (int Code, string Out, string Err) Run(string command, string workingDirectory, string? user)
    {
        var psi = new ProcessStartInfo(user is null ? "/bin/sh" : "/usr/bin/setpriv")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (user is not null)
        {
            foreach (var arg in new[] { $"--reuid={user}", $"--regid={user}", "--clear-groups", "/bin/sh" })
                psi.ArgumentList.Add(arg);
        }
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(command);
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{command}' did not finish in 120 s");
        }
        return (process.ExitCode, output.Result, error.Result);
    }
}
