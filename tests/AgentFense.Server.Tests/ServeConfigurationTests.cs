using AgentFense.Server.Configuration;

namespace AgentFense.Server.Tests;

/// <summary>The <c>--config</c> file and <c>AGENTFENSE_API_KEYS</c> of <c>agentfense serve</c>.</summary>
public sealed class ServeConfigurationTests
{
    [Fact]
    public void Parse_AllKeys()
    {
        var config = ServeConfiguration.Parse("""
            {"grpc": "127.0.0.1:9001", "http": "127.0.0.1:8081", "data": "/srv/af",
             "apiKeys": [{"key": "k1", "owner": "alice"}, {"key": "k2", "owner": "bob"}]}
            """);
        Assert.Equal("127.0.0.1:9001", config.Grpc);
        Assert.Equal("127.0.0.1:8081", config.Http);
        Assert.Equal("/srv/af", config.Data);
        Assert.Equal(new Dictionary<string, string> { ["k1"] = "alice", ["k2"] = "bob" }, config.ApiKeys);
    }

    [Theory]
    [InlineData("{", "not valid JSON")]
    [InlineData("[]", "not a JSON object")]
    [InlineData("""{"grpcc": "x"}""", "unknown key 'grpcc'")]
    [InlineData("""{"grpc": 9000}""", "grpc is not a string")]
    [InlineData("""{"apiKeys": {"key": "k"}}""", "apiKeys is not an array")]
    [InlineData("""{"apiKeys": [{"key": "k"}]}""", "apiKeys[0] is not an object")]
    [InlineData("""{"apiKeys": [{"key": "", "owner": "alice"}]}""", "the key of owner 'alice' is empty")]
    [InlineData("""{"apiKeys": [{"key": "k", "owner": ""}]}""", "the owner is empty")]
    [InlineData("""{"apiKeys": [{"key": "k", "owner": "a"}, {"key": "k", "owner": "b"}]}""", "apiKeys[1]: the key of owner 'b' is given twice")]
    public void Parse_Bad_NamesTheProblem(string json, string message)
    {
        var e = Assert.Throws<FormatException>(() => ServeConfiguration.Parse(json));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseApiKeys_OwnerColonKey()
    {
        Assert.Equal(new Dictionary<string, string> { ["k1"] = "alice", ["k:2"] = "bob" }, ServeConfiguration.ParseApiKeys("alice:k1, bob:k:2,"));
        Assert.Empty(ServeConfiguration.ParseApiKeys(""));
    }

    [Theory]
    [InlineData("alice", "entry 1 is not OWNER:KEY")]
    [InlineData("alice:k1,:k2", "entry 2: the owner is empty")]
    [InlineData("alice:", "the key of owner 'alice' is empty")]
    [InlineData("alice:k1,bob:k1", "the key of owner 'bob' is given twice")]
    public void ParseApiKeys_Bad_NamesTheProblem_NotTheKey(string value, string message)
    {
        var e = Assert.Throws<FormatException>(() => ServeConfiguration.ParseApiKeys(value));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("k1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Merge_SameKeyOtherOwner_Refused()
    {
        var e = Assert.Throws<FormatException>(() => ServeConfiguration.Merge(
            new Dictionary<string, string> { ["k"] = "alice" }, new Dictionary<string, string> { ["k"] = "bob" }));
        Assert.Contains("also configured for owner 'alice'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NestedSettings_AllKinds()
    {
        var config = ServeConfiguration.Parse("""
            {
              // comments and trailing commas are allowed
              "insecure": true,
              "tls": {"certificate": "/etc/af/cert.pem", "key": "/etc/af/key.pem"},
              "registerAllowedDirectories": ["/srv/repos", "/home/ci"],
              "defaults": {"runtime": "docker", "image": "python:3.12-slim", "network": true, "expiresIn": "1h30m",
                           "execTimeout": 90, "memory": "512M", "cpus": 1.5, "cpuShares": 512, "pids": 256,
                           "tmpSize": 1048576, "deltaSize": "2G"},
              "limits": {"maxSandboxesPerOwner": 20, "maxArchiveSize": "64M"},
              "timeouts": {"shutdownGrace": "250ms", "expiryInterval": "2s"},
            }
            """);
        Assert.True(config.Insecure);
        Assert.Equal("/etc/af/cert.pem", config.TlsCertificate);
        Assert.Equal("/etc/af/key.pem", config.TlsKey);
        Assert.Equal(["/srv/repos", "/home/ci"], config.RegisterAllowedDirectories!);
        Assert.Equal("docker", config.DefaultRuntime);
        Assert.Equal("python:3.12-slim", config.DefaultImage);
        Assert.True(config.DefaultNetwork);
        Assert.Equal(TimeSpan.FromMinutes(90), config.DefaultExpiry);
        Assert.Equal(TimeSpan.FromSeconds(90), config.ExecTimeout);
        Assert.Equal(512L << 20, config.Memory);
        Assert.Equal(1.5, config.Cpus);
        Assert.Equal(512, config.CpuShares);
        Assert.Equal(256, config.Pids);
        Assert.Equal(1L << 20, config.TmpSize);
        Assert.Equal(2L << 30, config.DeltaSize);
        Assert.Equal(20, config.MaxSandboxesPerOwner);
        Assert.Equal(TimeSpan.FromMilliseconds(250), config.ShutdownGrace);
        Assert.Equal(TimeSpan.FromSeconds(2), config.ExpiryInterval);

        // The certificate files do not exist; TLS loading has tests of its own.
        config.TlsCertificate = config.TlsKey = null;
        var options = config.ToServerOptions("/init");
        Assert.True(options.AllowNonLoopback);
        Assert.Equal("docker", options.DefaultRuntime);
        Assert.Equal(512L << 20, options.DefaultLimits.MemoryBytes);
        Assert.Equal(150_000, options.DefaultLimits.CpuQuotaMicroseconds);
        Assert.Equal(512, options.DefaultLimits.CpuShares);
        Assert.Equal(256, options.DefaultLimits.PidsMax);
        Assert.Equal(1L << 20, options.DefaultLimits.TmpSizeBytes);
        Assert.Equal(2L << 30, options.DefaultDeltaSizeBytes);
        Assert.Equal(20, options.MaxSandboxesPerOwner);
        Assert.Equal(TimeSpan.FromMinutes(90), options.DefaultExpiry);
        Assert.Equal(TimeSpan.FromSeconds(90), options.DefaultExecTimeout);
        Assert.Equal(["/srv/repos", "/home/ci"], options.RegisterAllowedDirectories);
        Assert.Equal(64L << 20, options.MaxArchiveBytes);
    }

    [Theory]
    [InlineData("""{"defaults": {"memory": "lots"}}""", "defaults.memory 'lots' is not a size")]
    [InlineData("""{"defaults": {"memory": -1}}""", "defaults.memory -1 is not a non-negative whole number")]
    [InlineData("""{"defaults": {"expiresIn": "soon"}}""", "defaults.expiresIn 'soon' is not a duration")]
    [InlineData("""{"defaults": {"network": "maybe"}}""", "defaults.network 'maybe' is not true or false")]
    [InlineData("""{"defaults": {"cpus": [1]}}""", "defaults.cpus is not a number")]
    [InlineData("""{"defaults": {"nework": true}}""", "unknown key 'defaults.nework' (known: runtime, image, network")]
    [InlineData("""{"defaults": 5}""", "defaults is not an object")]
    [InlineData("""{"tls": {"cert": "x"}}""", "unknown key 'tls.cert'")]
    [InlineData("""{"registerAllowedDirectories": "/srv"}""", "registerAllowedDirectories is not an array of strings")]
    [InlineData("""{"registerAllowedDirectories": [""]}""", "registerAllowedDirectories[0] is not a non-empty string")]
    [InlineData("""{"limits": {"maxSandboxesPerOwner": 1.5}}""", "limits.maxSandboxesPerOwner 1.5 is not a non-negative whole number")]
    public void Parse_BadSetting_NamesIt(string json, string message)
    {
        var e = Assert.Throws<FormatException>(() => ServeConfiguration.Parse(json));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"defaults": {"memory": "1M"}}""", "defaults.memory 1048576 is below 4M")]
    [InlineData("""{"defaults": {"pids": 2}}""", "defaults.pids 2 is below 8")]
    [InlineData("""{"defaults": {"cpus": 0.001}}""", "defaults.cpus 0.001 is not between 0.01 and 1024")]
    [InlineData("""{"defaults": {"runtime": "kvm"}}""", "defaults.runtime 'kvm' is not bwrap or docker")]
    [InlineData("""{"tls": {"key": "/k.pem"}}""", "tls.key is set without tls.certificate")]
    [InlineData("""{"tls": {"certificate": "/nonexistent/cert.pem"}}""", "tls: cannot load the certificate /nonexistent/cert.pem")]
    [InlineData("""{"registerAllowedDirectories": ["srv/repos"]}""", "'srv/repos' is not an absolute path")]
    [InlineData("""{"cgroupGroup": "../escape"}""", "cgroupGroup '../escape' must be 1-64 letters")]
    [InlineData("""{"timeouts": {"expiryInterval": "1ms"}}""", "timeouts.expiryInterval is below 10ms")]
    public void ToServerOptions_OutOfRange_NamesIt(string json, string message)
    {
        var config = ServeConfiguration.Parse(json);
        var e = Assert.Throws<FormatException>(() => config.ToServerOptions("/init"));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToServerOptions_Unset_TakesServerDefaults()
    {
        var options = new ServeConfiguration().ToServerOptions("/init");
        var defaults = new ServerOptions { DataDirectory = "x", InitPath = "/init" };
        Assert.Equal(defaults.GrpcAddress, options.GrpcAddress);
        Assert.Equal(defaults.HttpAddress, options.HttpAddress);
        Assert.Equal(AgentFense.Engine.SandboxManagerOptions.DefaultDataDirectory, options.DataDirectory);
        Assert.Null(options.DefaultExpiry);
        Assert.Null(options.DefaultExecTimeout);
        Assert.Null(options.DefaultLimits.MemoryBytes);
        Assert.Equal(defaults.DefaultLimits.TmpSizeBytes, options.DefaultLimits.TmpSizeBytes);
        Assert.Equal(0, options.MaxSandboxesPerOwner);
        Assert.Empty(options.RegisterAllowedDirectories);
        Assert.Equal(ServerOptions.DefaultMaxArchiveBytes, options.MaxArchiveBytes);
        Assert.Null(options.TlsCertificatePath);
        Assert.False(options.AllowNonLoopback);
    }

    [Fact]
    public void Environment_ReadsEveryVariable_AndOverlaysTheFile()
    {
        var variables = new Dictionary<string, string>
        {
            ["AGENTFENSE_GRPC"] = "127.0.0.1:9100",
            ["AGENTFENSE_DEFAULT_MEMORY"] = "1G",
            ["AGENTFENSE_DEFAULT_EXPIRY"] = "0",
            ["AGENTFENSE_MAX_SANDBOXES_PER_OWNER"] = "7",
            ["AGENTFENSE_REGISTER_ALLOWED_DIRS"] = "/srv/a:/srv/b",
            ["AGENTFENSE_INSECURE"] = "yes",
            ["AGENTFENSE_API_KEYS"] = "bob:k2",
        };
        var environment = ServeConfiguration.FromEnvironment(name => variables.GetValueOrDefault(name));
        var file = ServeConfiguration.Parse("""
            {"grpc": "127.0.0.1:9000", "http": "127.0.0.1:8000", "defaults": {"memory": "2G", "expiresIn": "1h", "pids": 64},
             "apiKeys": [{"key": "k1", "owner": "alice"}]}
            """);
        var commandLine = new ServeConfiguration { Grpc = "127.0.0.1:9200" };
        var merged = file.Overlay(environment).Overlay(commandLine);
        Assert.Equal("127.0.0.1:9200", merged.Grpc);
        Assert.Equal("127.0.0.1:8000", merged.Http);
        Assert.Equal(1L << 30, merged.Memory);
        Assert.Equal(64, merged.Pids);
        Assert.Equal(["/srv/a", "/srv/b"], merged.RegisterAllowedDirectories!);
        Assert.True(merged.Insecure);
        Assert.Equal(new Dictionary<string, string> { ["k1"] = "alice", ["k2"] = "bob" }, merged.ApiKeys);
        var options = merged.ToServerOptions("/init");
        // "0" in the environment turns the file's expiry off.
        Assert.Null(options.DefaultExpiry);
        Assert.Equal(7, options.MaxSandboxesPerOwner);
    }

    [Theory]
    [InlineData("AGENTFENSE_DEFAULT_PIDS", "many", "AGENTFENSE_DEFAULT_PIDS 'many' is not a non-negative whole number")]
    [InlineData("AGENTFENSE_EXEC_TIMEOUT", "5 minutes", "AGENTFENSE_EXEC_TIMEOUT '5 minutes' is not a duration")]
    [InlineData("AGENTFENSE_DEFAULT_NETWORK", "2", "AGENTFENSE_DEFAULT_NETWORK '2' is not true or false")]
    public void Environment_BadValue_NamesTheVariable(string variable, string value, string message)
    {
        var e = Assert.Throws<FormatException>(() => ServeConfiguration.FromEnvironment(name => name == variable ? value : null));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("512M", 512L << 20)]
    [InlineData("1.5GiB", 3L << 29)]
    [InlineData("4096", 4096)]
    [InlineData("10k", 10240)]
    public void Sizes(string text, long bytes)
    {
        Assert.True(ConfigValues.TryParseSize(text, out var parsed));
        Assert.Equal(bytes, parsed);
    }

    [Theory]
    [InlineData("90", 90_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("250ms", 250)]
    [InlineData("2d", 172_800_000)]
    [InlineData("1.5s", 1500)]
    public void Durations(string text, long milliseconds)
    {
        Assert.True(ConfigValues.TryParseDuration(text, out var parsed));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("m")]
    [InlineData("5 m")]
    [InlineData("-5s")]
    [InlineData("5w")]
    public void Durations_Bad(string text) => Assert.False(ConfigValues.TryParseDuration(text, out _));

    [Fact]
    public void Observability_Settings_ReachTheOptions()
    {
        var config = ServeConfiguration.Parse("""
            {"metrics": {"enabled": false}, "tracing": {"otlpEndpoint": "http://collector:4318", "otlpProtocol": "http/protobuf"},
             "logging": {"format": "json", "level": "Information"},
             "audit": {"maxEntriesPerSandbox": 500, "retention": "3d", "exportPath": "/var/log/agentfense/audit.jsonl"}}
            """);
        var options = config.ToServerOptions("/init").Observability;
        Assert.False(options.MetricsEnabled);
        Assert.Equal("http://collector:4318", options.OtlpEndpoint);
        Assert.Equal("http/protobuf", options.OtlpProtocol);
        Assert.Equal("json", options.LogFormat);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Information, options.LogLevel);
        Assert.Equal(500, options.AuditMaxEntriesPerSandbox);
        Assert.Equal(TimeSpan.FromDays(3), options.AuditRetention);
        Assert.Equal("/var/log/agentfense/audit.jsonl", options.AuditExportPath);
    }

    [Theory]
    [InlineData("""{"logging": {"level": "loud"}}""", "logging.level 'loud' is not trace")]
    [InlineData("""{"logging": {"level": "3"}}""", "logging.level '3' is not trace")]
    [InlineData("""{"logging": {"format": "xml"}}""", "log format 'xml' is not console or json")]
    [InlineData("""{"tracing": {"otlpEndpoint": "collector"}}""", "OTLP endpoint 'collector' is not an absolute URI")]
    [InlineData("""{"audit": {"maxEntriesPerSandbox": 0}}""", "audit.maxEntriesPerSandbox 0 is not between 1")]
    [InlineData("""{"audit": {"exportPath": "audit.jsonl"}}""", "audit.exportPath 'audit.jsonl' is not an absolute path")]
    public void Observability_BadSetting_NamesIt(string json, string message)
    {
        var config = ServeConfiguration.Parse(json);
        var e = Assert.Throws<FormatException>(() => config.ToServerOptions("/init"));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
