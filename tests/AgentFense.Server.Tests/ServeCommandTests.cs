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

    [Fact]
    public async Task Serve_NonLoopback_AcceptedWithInsecure()
    {
        // Not bound: the bad --http after it stops the command, which shows --grpc passed the loopback check.
        using var data = new TempDirectory("agentfense-serve-");
        var (code, stderr) = await RunCliAsync("serve", "--insecure", "--grpc", "0.0.0.0:9000", "--http", "nonsense", "--data", data.Path);
        Assert.True(code == 2, $"exit {code}: {stderr}");
        Assert.Contains("--http: 'nonsense' is not HOST:PORT", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("loopback", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_NonLoopback_AcceptedWithKeysFromEnvironment()
    {
        using var data = new TempDirectory("agentfense-serve-");
        var (code, stderr) = await RunCliWithEnvAsync(new() { ["AGENTFENSE_API_KEYS"] = "alice:secret-key-1" },
            "serve", "--grpc", "0.0.0.0:9000", "--http", "nonsense", "--data", data.Path);
        Assert.True(code == 2, $"exit {code}: {stderr}");
        Assert.Contains("--http: 'nonsense' is not HOST:PORT", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_NonLoopback_AcceptedWithKeysFromConfigFile_CommandLineWins()
    {
        using var data = new TempDirectory("agentfense-serve-");
        var config = data.WriteFile("config.json", """
            {"grpc": "0.0.0.0:9000", "http": "127.0.0.1:8080", "apiKeys": [{"key": "secret-key-1", "owner": "alice"}]}
            """);
        var (code, stderr) = await RunCliAsync("serve", "--config", config, "--http", "nonsense", "--data", data.Path);
        Assert.True(code == 2, $"exit {code}: {stderr}");
        Assert.Contains("--http: 'nonsense' is not HOST:PORT", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"grpc\": ", "not valid JSON")]
    [InlineData("{\"apiKeys\": [{\"key\": \"secret-key-1\"}]}", "apiKeys[0] is not an object with string \"key\" and \"owner\"")]
    [InlineData("{\"port\": 1}", "unknown key 'port'")]
    public async Task Serve_BadConfigFile_Exit2_NamesTheProblem(string json, string message)
    {
        using var data = new TempDirectory("agentfense-serve-");
        var config = data.WriteFile("config.json", json);
        var (code, stderr) = await RunCliAsync("serve", "--config", config, "--data", data.Path);
        Assert.True(code == 2, $"exit {code}: {stderr}");
        Assert.Contains($"config file {config}: ", stderr, StringComparison.Ordinal);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-key-1", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"defaults\": {\"memory\": \"1M\"}}", null, null, "defaults.memory 1048576 is below 4M")]
    [InlineData("{}", "AGENTFENSE_DEFAULT_EXPIRY", "tomorrow", "AGENTFENSE_DEFAULT_EXPIRY 'tomorrow' is not a duration")]
    [InlineData("{}", "AGENTFENSE_TLS_KEY", "/k.pem", "tls.key is set without tls.certificate")]
    [InlineData("{\"tls\": {\"certificate\": \"/nonexistent.pem\"}}", null, null, "tls: cannot load the certificate /nonexistent.pem")]
    public async Task Serve_BadSetting_Exit2_BeforeAnythingStarts(string json, string? variable, string? value, string message)
    {
        using var data = new TempDirectory("agentfense-serve-");
        var config = data.WriteFile("config.json", json);
        var environment = new Dictionary<string, string>();
        if (variable is not null)
            environment[variable] = value!;
        var (code, stderr) = await RunCliWithEnvAsync(environment, "serve", "--config", config, "--data", Path.Combine(data.Path, "data"));
        Assert.True(code == 2, $"exit {code}: {stderr}");
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(data.Path, "data")));
    }

    [Fact]
    public async Task Serve_Help_ListsEverySetting()
    {
        var (code, stdout) = await RunCliStdoutAsync("serve", "--help");
        Assert.True(code == 0, $"exit {code}");
        foreach (var setting in Configuration.ServeSetting.All)
        {
            Assert.Contains(setting.Key, stdout, StringComparison.Ordinal);
            Assert.Contains("$" + setting.Variable, stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Serve_MissingConfigFile_Exit2()
    {
        using var data = new TempDirectory("agentfense-serve-");
        var (code, stderr) = await RunCliAsync("serve", "--config", Path.Combine(data.Path, "absent.json"), "--data", data.Path);
        Assert.True(code == 2, $"exit {code}: {stderr}");
        Assert.Contains("absent.json", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_BadKeysVariable_Exit2_NamesTheProblem()
    {
        using var data = new TempDirectory("agentfense-serve-");
        var (code, stderr) = await RunCliWithEnvAsync(new() { ["AGENTFENSE_API_KEYS"] = "alice:secret-key-1,bob" }, "serve", "--data", data.Path);
        Assert.True(code == 2, $"exit {code}: {stderr}");
        Assert.Contains("AGENTFENSE_API_KEYS: entry 2 is not OWNER:KEY", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-key-1", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_Help_DocumentsAuthentication()
    {
        var (code, stdout) = await RunCliAsync(null, stdoutToo: true, "serve", "--help");
        Assert.True(code == 0, $"exit {code}: {stdout}");
        foreach (var text in new[] { "--config", "--insecure", "AGENTFENSE_API_KEYS", "authorization: Bearer KEY", "apiKeys" })
            Assert.Contains(text, stdout, StringComparison.Ordinal);
    }

    private static Task<(int Code, string Stderr)> RunCliAsync(params string[] args) => RunCliAsync(null, false, args);

    private static Task<(int Code, string Output)> RunCliStdoutAsync(params string[] args) => RunCliAsync(null, true, args);

    private static Task<(int Code, string Stderr)> RunCliWithEnvAsync(Dictionary<string, string> environment, params string[] args) =>
        RunCliAsync(environment, false, args);

    private static async Task<(int Code, string Stderr)> RunCliAsync(Dictionary<string, string>? environment, bool stdoutToo, params string[] args)
    {
        var cli = CliBinary.Path;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        // Only what the test sets: the machine's own serve settings must not leak in.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AGENTFENSE_", StringComparison.Ordinal) && k != "AGENTFENSE_INIT_PATH").ToList())
            start.Environment.Remove(name);
        foreach (var (name, value) in environment ?? [])
            start.Environment[name] = value;
        start.ArgumentList.Add(cli);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ServerHarness.Token);
        var stderr = process.StandardError.ReadToEndAsync(ServerHarness.Token);
        await process.WaitForExitAsync(ServerHarness.Token);
        var output = await stdout;
        return (process.ExitCode, stdoutToo ? output + await stderr : await stderr);
    }
}
