using System.CommandLine;
using AgentFense.Cli.Explain;
using AgentFense.Policy;

namespace AgentFense.Cli.Commands;

/// <summary><c>agentfense policy explain</c>: what an agent would see of a directory, and why.</summary>
internal static class PolicyCommand
{
    public static Command Create(CliConsole console)
    {
        var options = new PolicyOptions();
        var json = new Option<bool>("--json") { Description = "Print one JSON object per line instead of a tree" };
        var dir = new Argument<string>("DIR") { Description = "The directory to walk (e.g. a codebase)" }.NotAnOption();
        var explain = new Command("explain", "Walk DIR and print each entry's level and the rule that decided it " +
                                             "(without --preset/--rule/--rules: the agent-safe preset)")
        {
            json,
            dir,
        };
        options.AddTo(explain);
        explain.SetAction(result =>
        {
            var root = result.GetValue(dir)!;
            if (!Directory.Exists(root))
                throw new UsageException($"'{root}' is not a directory");
            if (!options.AnyGiven(result))
                console.Error.WriteLine($"(no rules given: using the {Presets.AgentSafe.Name} preset)");
            var matcher = PolicyMatcher.Compile(options.ToRules(result, Presets.AgentSafe.Name));
            var entries = PolicyTreeWalker.Walk(root, matcher);
            if (result.GetValue(json))
                JsonLinesWriter.Write(entries, matcher, console.Out);
            else
                TreeWriter.Write(entries.ToList(), matcher, console);
            return ExitCodes.Ok;
        });
        return new Command("policy", "Inspect permission policies") { explain };
    }
}
