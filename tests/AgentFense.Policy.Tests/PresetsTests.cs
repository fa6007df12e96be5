using AgentFense.TestSupport;

namespace AgentFense.Policy.Tests;

/// <summary>Every preset applied to the example project's real tree.</summary>
public class PresetsTests
{
    private static readonly string[] s_secrets =
        [".env", "secrets", "secrets/db-password.txt", "config/server.key", "certs/server.pem"];

    private static Dictionary<string, Permission> Levels(IReadOnlyList<PermissionRule> rules)
    {
        var matcher = PolicyMatcher.Compile(rules);
        var root = RepoPaths.ExampleProject;
        return Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .ToDictionary(
                p => Path.GetRelativePath(root, p).Replace('\\', '/'),
                p => matcher.Decide(Path.GetRelativePath(root, p), Directory.Exists(p)).Permission);
    }

    [Fact]
    public void AgentSafe_ExampleProject_HidesSecretsReadsSourceWritesOutput()
    {
        var levels = Levels(Presets.AgentSafe.Rules);
        Assert.Equal(Permission.Read, levels["src/acme/api/server.py"]);
        Assert.Equal(Permission.Read, levels["src"]);
        Assert.Equal(Permission.Read, levels["docs/adr/0001-use-postgres.md"]);
        Assert.Equal(Permission.Write, levels["output"]);
        Assert.Equal(Permission.Write, levels["output/.gitkeep"]);
        foreach (var secret in s_secrets.Append(".env.example").Append("credentials.json").Append("secrets/api-tokens.yaml"))
            Assert.Equal(Permission.None, levels[secret]);
        Assert.DoesNotContain(levels, kv => kv.Value == Permission.View);
    }

    [Fact]
    public void ReadOnly_ExampleProject_ReadsEverything()
    {
        Assert.All(Levels(Presets.ReadOnly.Rules), kv => Assert.Equal(Permission.Read, kv.Value));
    }

    [Fact]
    public void FullAccess_ExampleProject_WritesEverything()
    {
        Assert.All(Levels(Presets.FullAccess.Rules), kv => Assert.Equal(Permission.Write, kv.Value));
    }

    [Fact]
    public void Development_ExampleProject_WritesAllButSecrets()
    {
        var levels = Levels(Presets.Development.Rules);
        foreach (var secret in s_secrets)
            Assert.Equal(Permission.None, levels[secret]);
        Assert.Equal(Permission.Write, levels["credentials.json"]); // only agent-safe hides credentials*
        Assert.Equal(Permission.Write, levels["src/acme/db/orders.py"]);
    }

    [Fact]
    public void ViewOnly_ExampleProject_ViewsEverything()
    {
        Assert.All(Levels(Presets.ViewOnly.Rules), kv => Assert.Equal(Permission.View, kv.Value));
    }

    [Fact]
    public void AgentSafe_HasExactlyTheDocumentedRules()
    {
        var expected = new[]
        {
            ("**/*", Permission.Read, 0), ("/output/**", Permission.Write, 10), ("/tmp/**", Permission.Write, 10),
            ("**/.env*", Permission.None, 100), ("**/secrets/**", Permission.None, 100), ("**/*.key", Permission.None, 100),
            ("**/*.pem", Permission.None, 100), ("**/credentials*", Permission.None, 100), ("**/.git/**", Permission.None, 50),
        };
        Assert.Equal(expected, Presets.AgentSafe.Rules.Select(r => (r.Pattern, r.Permission, r.Priority)));
    }

    [Fact]
    public void Extend_AdditionsKeepPriority_OverridesRiseAboveTop()
    {
        var rules = Presets.AgentSafe.Extend(
            additions: [new PermissionRule("docs/**", Permission.Write, Priority: 5)],
            overrides: [new PermissionRule("secrets/public/**", Permission.Read), new PermissionRule("x", Permission.Read, Priority: 2)]);
        Assert.Equal(5, rules.Single(r => r.Pattern == "docs/**").Priority);
        Assert.Equal(101, rules.Single(r => r.Pattern == "secrets/public/**").Priority);
        Assert.Equal(103, rules.Single(r => r.Pattern == "x").Priority);
        var m = PolicyMatcher.Compile(rules);
        Assert.Equal(Permission.Read, m.DecideByRules("secrets/public/a.txt").Permission);
        Assert.Equal(Permission.View, m.Decide("secrets", true).Permission);
        Assert.Equal(Permission.None, m.DecideByRules("secrets/db.txt").Permission);
    }

    [Theory]
    [InlineData("agent-safe")]
    [InlineData("AGENT_SAFE")]
    [InlineData("view-only")]
    public void TryGet_KnownNames_Found(string name) => Assert.True(Presets.TryGet(name, out _));

    [Fact]
    public void Get_UnknownName_ThrowsListingKnownNames()
    {
        var e = Assert.Throws<PolicyException>(() => Presets.Get("paranoid"));
        Assert.Contains("paranoid", e.Message);
        Assert.Contains("agent-safe", e.Message);
    }
}
