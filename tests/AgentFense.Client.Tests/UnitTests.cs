using AgentFense.Embedded;
using AgentFense.Internal;
using Grpc.Core;
using EnginePresets = AgentFense.Policy.Presets;
using PolicyMatcher = AgentFense.Policy.PolicyMatcher;

namespace AgentFense.Client.Tests;

/// <summary>The SDK's pure parts: error mapping, presets, the upload filters, the embedded engine's checks.</summary>
public sealed class UnitTests
{
    public static TheoryData<string, Type> Reasons => new()
    {
        { "SANDBOX_NOT_FOUND", typeof(SandboxNotFoundException) },
        { "CODEBASE_NOT_FOUND", typeof(CodebaseNotFoundException) },
        { "SESSION_NOT_FOUND", typeof(SessionNotFoundException) },
        { "PROCESS_NOT_FOUND", typeof(ProcessNotFoundException) },
        { "FILE_NOT_FOUND", typeof(FileNotFoundInSandboxException) },
        { "IMAGE_NOT_FOUND", typeof(ImageNotFoundException) },
        { "SANDBOX_NOT_RUNNING", typeof(SandboxNotRunningException) },
        { "SESSION_CLOSED", typeof(SessionClosedException) },
        { "CODEBASE_IN_USE", typeof(CodebaseInUseException) },
        { "COMMAND_TIMEOUT", typeof(CommandTimeoutException) },
        { "POLICY_DENIED", typeof(PermissionDeniedException) },
        { "UNAUTHENTICATED", typeof(AuthenticationException) },
        { "INVALID_RULE", typeof(InvalidConfigurationException) },
        { "INVALID_PATH", typeof(InvalidArgumentException) },
        { "FILE_TOO_LARGE", typeof(ResourceLimitExceededException) },
        { "BOX_FAILED", typeof(SandboxRuntimeException) },
        { "DOCKER_UNAVAILABLE", typeof(SandboxRuntimeException) },
        { "CODEBASE_READ_ONLY", typeof(CodebaseReadOnlyException) },
        { "REGISTER_NOT_ALLOWED", typeof(OperationNotAllowedException) },
        { "SANDBOX_LIMIT_REACHED", typeof(SandboxLimitReachedException) },
        { "PATH_OUTSIDE_CODEBASE", typeof(InvalidArgumentException) },
    };

    [Theory]
    [MemberData(nameof(Reasons))]
    public void ErrorMapper_Reason_PicksItsException(string reason, Type expected)
    {
        var code = reason switch
        {
            "INVALID_PATH" => StatusCode.InvalidArgument,
            "FILE_TOO_LARGE" => StatusCode.ResourceExhausted,
            _ => StatusCode.Unknown,
        };
        var e = ErrorMapper.Create(code, reason, "m");
        Assert.IsType(expected, e);
        Assert.Equal(reason, e.Reason);
    }

    [Fact]
    public void ErrorMapper_ReasonsSharingAStatusCode_MapToDifferentExceptions()
    {
        var notFound = new[] { "SANDBOX_NOT_FOUND", "CODEBASE_NOT_FOUND", "SESSION_NOT_FOUND", "PROCESS_NOT_FOUND", "FILE_NOT_FOUND", "IMAGE_NOT_FOUND" }
            .Select(r => ErrorMapper.Create(StatusCode.NotFound, r, "m").GetType()).ToList();
        Assert.Equal(notFound.Count, notFound.Distinct().Count());
        var precondition = new[] { "SANDBOX_NOT_RUNNING", "SESSION_CLOSED", "CODEBASE_IN_USE" }
            .Select(r => ErrorMapper.Create(StatusCode.FailedPrecondition, r, "m").GetType()).ToList();
        Assert.Equal(precondition.Count, precondition.Distinct().Count());
        Assert.NotEqual(ErrorMapper.Create(StatusCode.InvalidArgument, "INVALID_RULE", "m").GetType(), ErrorMapper.Create(StatusCode.InvalidArgument, "INVALID_PATH", "m").GetType());
        var denied = new[] { "POLICY_DENIED", "REGISTER_NOT_ALLOWED", "PATH_OUTSIDE_CODEBASE" }
            .Select(r => ErrorMapper.Create(StatusCode.PermissionDenied, r, "m").GetType()).ToList();
        Assert.Equal(denied.Count, denied.Distinct().Count());
        var unavailable = new[] { "DOCKER_UNAVAILABLE", "RUNTIME_UNAVAILABLE", null }
            .Select(r => ErrorMapper.Create(StatusCode.Unavailable, r, "m").GetType()).ToList();
        Assert.Equal(unavailable.Count, unavailable.Distinct().Count());
        Assert.IsType<ConnectionException>(ErrorMapper.Create(StatusCode.Unavailable, null, "m"));
        Assert.IsType<RequestTimeoutException>(ErrorMapper.Create(StatusCode.DeadlineExceeded, null, "m"));
    }

    [Fact]
    public void Presets_AreTheEnginesPresets()
    {
        Assert.Equal(EnginePresets.All.Select(p => p.Name), Presets.All.Select(p => p.Name));
        foreach (var preset in Presets.All)
        {
            var engine = EnginePresets.Get(preset.Name);
            Assert.Equal(
                engine.Rules.Select(r => (r.Pattern, (int)r.Permission + 1, (int)r.Type + 1, r.Priority)),
                preset.Rules.Select(r => (r.Pattern, (int)r.Permission, (int)r.Type, r.Priority)));
        }
        Assert.Same(Presets.AgentSafe, Presets.Get("AGENT_SAFE"));
        Assert.Throws<InvalidConfigurationException>(() => Presets.Get("nope"));
    }

    [Fact]
    public void Preset_Extend_KeepsAdditions_RaisesOverridesAboveThePreset()
    {
        var extended = Presets.AgentSafe.Extend(additions: [Rule.Write("docs/**", 5)], overrides: [Rule.Read("secrets/public/**")]);
        Assert.Equal(Presets.AgentSafe.Rules.Count + 2, extended.Rules.Count);
        Assert.Contains(extended.Rules, r => r.Pattern == "docs/**" && r.Priority == 5);
        Assert.Contains(extended.Rules, r => r.Pattern == "secrets/public/**" && r.Priority == 101);
    }

    public static TheoryData<string, bool> Paths => new()
    {
        { ".env", false }, { "a/.env.local", false }, { "secrets", true }, { "secrets/x", false }, { "a/secrets/b/c", false },
        { "config/server.key", false }, { "src/main.py", false }, { "README.md", false }, { "output/x", false }, { ".git", true },
        { ".git/config", false }, { "credentials.json", false }, { "docs/a.md", false },
    };

    [Theory]
    [MemberData(nameof(Paths))]
    public void PolicyFilter_LeavesOutOnlyWhatTheEngineHides(string path, bool isDirectory)
    {
        Rule[] rules = [.. Presets.AgentSafe.Rules, Rule.Read("secrets/public/**", 200)];
        var filter = new PolicyFilter(rules);
        var engine = PolicyMatcher.Compile(rules.Select(r => new Policy.PermissionRule(r.Pattern.TrimStart('/'), (Policy.Permission)((int)r.Permission - 1), (Policy.PatternType)((int)r.Type - 1), r.Priority)));
        var decision = engine.Decide(path, isDirectory);
        if (!filter.Includes(path, isDirectory))
            Assert.Equal(Policy.Permission.None, decision.Permission);
        // What agent-safe plainly hides is left out (secrets/ stays: a higher rule reaches beneath it).
        var expectedOut = path is ".env" or "a/.env.local" or "secrets/x" or "a/secrets/b/c" or "config/server.key" or ".git/config" or "credentials.json" || path == ".git";
        Assert.Equal(expectedOut, !filter.Includes(path, isDirectory));
    }

    [Fact]
    public void IgnoreSet_GitignoreSemantics()
    {
        using var dir = new TestSupport.TempDirectory("agentfense-ignore-");
        dir.WriteFile(".gitignore", "# comment\n*.log\n!keep.log\n/top.txt\nbuild/\ndocs/**/draft-*\n");
        dir.WriteFile("sub/.gitignore", "local.txt\n");
        var ignores = new IgnoreSet(dir.Path, [".gitignore"]);
        Assert.True(ignores.IsIgnored("a.log", false));
        Assert.True(ignores.IsIgnored("x/y/a.log", false));
        Assert.False(ignores.IsIgnored("keep.log", false));
        Assert.True(ignores.IsIgnored("top.txt", false));
        Assert.False(ignores.IsIgnored("x/top.txt", false));
        Assert.True(ignores.IsIgnored("build", true));
        Assert.False(ignores.IsIgnored("build", false));
        Assert.True(ignores.IsIgnored("docs/a/b/draft-1.md", false));
        Assert.True(ignores.IsIgnored("sub/local.txt", false));
        Assert.False(ignores.IsIgnored("local.txt", false));
        Assert.True(ignores.IsIgnored(".git", true));
        Assert.False(ignores.IsIgnored("src/main.py", false));
    }

    [Fact]
    public async Task Embedded_MissingInit_NamesWhatIsMissing()
    {
        var e = await Assert.ThrowsAsync<EmbeddedEngineUnavailableException>(() =>
            EmbeddedBackend.StartAsync(new EmbeddedOptions { InitPath = "/nonexistent/agentfense-init" }, TestContext.Current.CancellationToken));
        Assert.Contains(e.Missing, m => m.Contains("agentfense-init", StringComparison.Ordinal) && m.Contains("/nonexistent/agentfense-init", StringComparison.Ordinal));
        Assert.Contains("EMBEDDED_UNAVAILABLE", e.Reason, StringComparison.Ordinal);
    }
}
