using System.Text;
using AgentFense.Policy;

namespace AgentFense.Cli.Explain;

/// <summary>Prints explain entries as a tree: name, level (coloured on a terminal), and what decided it.</summary>
internal static class TreeWriter
{
    private const int MaxNameColumn = 56;

    public static void Write(IReadOnlyList<ExplainEntry> entries, PolicyMatcher matcher, CliConsole console)
    {
        var labels = entries.Select(Label).ToList();
        var width = Math.Min(MaxNameColumn, labels.Max(l => l.Length) + 2);
        var line = new StringBuilder();
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            line.Clear();
            line.Append(labels[i].PadRight(width));
            if (labels[i].Length >= width)
                line.Append(' ');
            var level = PolicyNames.Format(entry.Decision.Permission).PadRight(6);
            line.Append(console.Colour ? Colourise(entry.Decision.Permission, level) : level);
            line.Append(' ').Append(Reason(entry, matcher));
            console.Out.WriteLine(line.ToString());
        }
    }

    private static string Label(ExplainEntry entry)
    {
        if (entry.Depth == 0)
            return entry.Name + "/";
        var prefix = new StringBuilder();
        foreach (var ancestorLast in entry.AncestorsLast)
            prefix.Append(ancestorLast ? "    " : "│   ");
        prefix.Append(entry.IsLastSibling ? "└── " : "├── ");
        var suffix = entry.Kind switch
        {
            EntryKind.Directory => "/",
            EntryKind.Symlink => "@",
            _ => "",
        };
        return prefix + entry.Name + suffix;
    }

    /// <summary>"rule **/* → read", "reachability (for src/main.py → read)", or "default".</summary>
    public static string Reason(ExplainEntry entry, PolicyMatcher matcher)
    {
        var rule = matcher.RuleAt(entry.Decision.RuleIndex);
        return entry.Decision.Source switch
        {
            DecisionSource.Rule => rule!.ToString(),
            DecisionSource.Reachability when rule is not null => $"reachability (leads to {rule})",
            DecisionSource.Reachability => "reachability (the root is always listed)",
            _ => "default (no rule matches)",
        };
    }

    private static string Colourise(Permission permission, string text)
    {
        var code = permission switch
        {
            Permission.None => "2;31",
            Permission.View => "33",
            Permission.Read => "32",
            _ => "1;36",
        };
        return $"\u001b[{code}m{text}\u001b[0m";
    }
}
