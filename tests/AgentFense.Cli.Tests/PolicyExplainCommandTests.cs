using System.Text.Json;
using AgentFense.TestSupport;

namespace AgentFense.Cli.Tests;

public class PolicyExplainCommandTests
{
    private static readonly string s_example = RepoPaths.ExampleProject;

    [Fact]
    public async Task Explain_AgentSafe_PrintsTreeWithLevelsAndRules()
    {
        var (code, output, _) = await CliRunner.RunAsync("policy", "explain", "--preset", "agent-safe", s_example);
        Assert.Equal(0, code);
        var lines = output.Split('\n');
        Assert.Contains(lines, l => l.Contains("├── .env ") && l.Contains("none") && l.Contains("**/.env* → none @100"));
        Assert.Contains(lines, l => l.Contains("server.py") && l.Contains("read") && l.Contains("**/* → read @0"));
        Assert.Contains(lines, l => l.Contains("output/") && l.Contains("write") && l.Contains("/output/**"));
        Assert.DoesNotContain("\u001b[", output); // not a terminal: no colour codes
        // A hidden directory is listed but not entered.
        Assert.Contains(lines, l => l.Contains("secrets/") && l.Contains("none"));
        Assert.DoesNotContain("db-password.txt", output);
    }

    [Fact]
    public async Task Explain_Json_OneObjectPerLineWithRule()
    {
        var (code, output, _) = await CliRunner.RunAsync("policy", "explain", "--json", "--preset", "agent-safe", s_example);
        Assert.Equal(0, code);
        var objects = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(e => e.GetProperty("path").GetString()!);
        var main = objects["src/acme/api/server.py"];
        Assert.Equal("read", main.GetProperty("permission").GetString());
        var rule = main.GetProperty("rule");
        Assert.Equal("**/*", rule.GetProperty("pattern").GetString());
        Assert.Equal("read", rule.GetProperty("permission").GetString());
        Assert.Equal("glob", rule.GetProperty("type").GetString());
        Assert.Equal(0, rule.GetProperty("priority").GetInt32());
        Assert.Equal("none", objects["credentials.json"].GetProperty("permission").GetString());
        Assert.Equal(100, objects["credentials.json"].GetProperty("rule").GetProperty("priority").GetInt32());
    }

    [Fact]
    public async Task Explain_NoRuleMatches_RuleIsNullAndReachabilityNamed()
    {
        using var dir = new TempDirectory();
        dir.WriteFile("a/b/keep.txt", "x");
        dir.WriteFile("other.txt", "y");
        var (code, output, _) = await CliRunner.RunAsync("policy", "explain", "--json", "--rule", "a/b/keep.txt=read", dir.Path);
        Assert.Equal(0, code);
        var objects = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(e => e.GetProperty("path").GetString()!);
        Assert.Equal(JsonValueKind.Null, objects["other.txt"].GetProperty("rule").ValueKind);
        Assert.Equal("default", objects["other.txt"].GetProperty("source").GetString());
        Assert.Equal("view", objects["a"].GetProperty("permission").GetString());
        Assert.Equal("reachability", objects["a"].GetProperty("source").GetString());
        Assert.Equal("read", objects["a/b/keep.txt"].GetProperty("permission").GetString());
    }

    [Fact]
    public async Task Explain_RulesFileAndRulesStackOnPreset()
    {
        var rulesFile = Path.Combine(s_example, "agentfense-rules.yaml");
        var (code, output, _) = await CliRunner.RunAsync(
            "policy", "explain", "--json", "--preset", "agent-safe", "--rules", rulesFile, "--rule", "docs/**=none@60", s_example);
        Assert.Equal(0, code);
        var levels = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(e => e.GetProperty("path").GetString()!, e => e.GetProperty("permission").GetString());
        Assert.Equal("write", levels["src/acme/db/orders.py"]);
        Assert.Equal("view", levels["scripts/deploy.sh"]);
        Assert.Equal("none", levels["docs"]);
        Assert.False(levels.ContainsKey("docs/architecture.md"));
    }

    [Fact]
    public async Task Explain_NoRulesGiven_UsesAgentSafeAndSaysSo()
    {
        var (code, _, error) = await CliRunner.RunAsync("policy", "explain", s_example);
        Assert.Equal(0, code);
        Assert.Contains("agent-safe", error);
    }

    [Theory]
    [InlineData("unbalanced", "policy", "explain", "--rule", "src/[x=read", ".")]
    [InlineData("unknown level \"rw\"", "policy", "explain", "--rule", "src/**=rw", ".")]
    [InlineData("unknown preset \"nope\"", "policy", "explain", "--preset", "nope", ".")]
    [InlineData("is not a directory", "policy", "explain", "/nonexistent-dir")]
    [InlineData("cannot read the rules file", "policy", "explain", "--rules", "/nonexistent.yaml", ".")]
    [InlineData("--frobnicate", "policy", "explain", "--frobnicate", ".")]
    [InlineData("'..' segments", "policy", "explain", "--rule", "../x=read", ".")]
    public async Task Explain_BadInput_ExitsTwoNamingTheProblem(string expected, params string[] args)
    {
        var (code, output, error) = await CliRunner.RunAsync(args);
        Assert.Equal(2, code);
        Assert.Contains(expected, error);
        Assert.Equal("", output);
    }
}
