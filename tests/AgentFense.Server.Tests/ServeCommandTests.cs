using System.Diagnostics;
using AgentFense.TestSupport;

namespace AgentFense.Server.Tests;

/// <summary><c>agentfense serve</c> as a process: bad and non-loopback addresses are refused before anything starts.</summary>
public sealed class ServeCommandTests
{
    [Theory]
    [InlineData("--grpc", "0.0.0.0:9000", "not a loopback address")]
    [InlineData("--http", "192.0.2.1:8080", "not a loopback address")]
    [InlineData("--grpc", "[::]:9000", "not a loopback address")]
    [InlineData("--http", "nonsense", "is not HOST:PORT")]
    [InlineData("--grpc", "example.com:9000", "is not an IP address or localhost")]
    public async Task Serve_RefusedAddress_Exit2(string option, string address, string message)
    {
        using var data = new TempDirectory("agentfense-serve-");
        var (code, stderr) = await RunCliAsync("serve", option, address, "--data", data.Path);
        Assert.True(code == 2, $"exit {code}: {stderr}");
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(data.Path));
    }

    private static async Task<(int Code, string Stderr)> RunCliAsync(params string[] args)
    {
        // The test assembly's own configuration (bin/<Configuration>/net10.0/) names the CLI build to run.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var cli = Path.Combine(RepoPaths.Root, "src", "AgentFense.Cli", "bin", configuration, "net10.0", "agentfense.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(cli);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ServerHarness.Token);
        var stderr = process.StandardError.ReadToEndAsync(ServerHarness.Token);
        await process.WaitForExitAsync(ServerHarness.Token);
        await stdout;
        return (process.ExitCode, await stderr);
    }
}
