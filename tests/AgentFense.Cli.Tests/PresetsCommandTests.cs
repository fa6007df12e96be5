using System.Text.Json;
using AgentFense.Policy;

namespace AgentFense.Cli.Tests;

public class PresetsCommandTests
{
    [Fact]
    public async Task Presets_Text_ListsEveryPresetAndRule()
    {
        var (code, output, _) = await CliRunner.RunAsync("presets");
        Assert.Equal(0, code);
        foreach (var preset in Presets.All)
        {
            Assert.Contains(preset.Name + ":", output);
            foreach (var rule in preset.Rules)
                Assert.Contains(rule.Pattern, output);
        }
    }

    [Fact]
    public async Task Presets_Json_RoundTripsTheRules()
    {
        var (code, output, _) = await CliRunner.RunAsync("presets", "--json");
        Assert.Equal(0, code);
        var doc = JsonDocument.Parse(output).RootElement;
        Assert.Equal(Presets.All.Count, doc.GetArrayLength());
        var agentSafe = doc.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "agent-safe");
        var rules = agentSafe.GetProperty("rules").EnumerateArray()
            .Select(r => new PermissionRule(
                r.GetProperty("pattern").GetString()!,
                PolicyNames.TryParsePermission(r.GetProperty("permission").GetString(), out var p) ? p : throw new InvalidOperationException(),
                PatternType.Glob,
                r.GetProperty("priority").GetInt32()));
        Assert.Equal(Presets.AgentSafe.Rules, rules);
    }
}
