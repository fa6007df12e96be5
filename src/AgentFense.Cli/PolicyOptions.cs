using System.CommandLine;
using AgentFense.Policy;

namespace AgentFense.Cli;

/// <summary>
/// The options every policy-taking command shares: <c>--preset</c>, <c>--rule</c> (repeatable) and
/// <c>--rules FILE</c>. Rules are the preset's, then the file's, then the <c>--rule</c>s, in that order
/// (which matters only for full ties, where the rule listed last wins).
/// </summary>
internal sealed class PolicyOptions
{
    public Option<string?> Preset { get; } = new("--preset", "-p")
    {
        Description = "Start from a preset: " + string.Join(", ", Presets.All.Select(p => p.Name)),
        HelpName = "NAME",
    };

    public Option<string[]> Rule { get; } = new("--rule", "-r")
    {
        Description = "Add a rule PATTERN=LEVEL[@PRIORITY] (prefix the pattern with dir: or file: for those types); repeatable",
        HelpName = "RULE",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public Option<string?> RulesFile { get; } = new("--rules")
    {
        Description = "Add the rules of a YAML or JSON file (a list of {pattern, permission, type?, priority?})",
        HelpName = "FILE",
    };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Preset);
        command.Options.Add(Rule);
        command.Options.Add(RulesFile);
    }

    /// <summary>Whether the user gave any of the options.</summary>
    public bool AnyGiven(ParseResult result) =>
        result.GetValue(Preset) is not null || result.GetValue(RulesFile) is not null ||
        (result.GetValue(Rule)?.Length ?? 0) > 0;

    /// <summary>The combined rules; throws <see cref="PolicyException"/> on any bad input.</summary>
    public IReadOnlyList<PermissionRule> ToRules(ParseResult result, string? defaultPreset = null)
    {
        var rules = new List<PermissionRule>();
        var preset = result.GetValue(Preset) ?? (AnyGiven(result) ? null : defaultPreset);
        if (preset is not null)
            rules.AddRange(Presets.Get(preset).Rules);
        if (result.GetValue(RulesFile) is { } file)
            rules.AddRange(AgentFense.Policy.RulesFile.Load(file));
        foreach (var text in result.GetValue(Rule) ?? [])
            rules.Add(RuleSyntax.Parse(text));
        return rules;
    }
}
