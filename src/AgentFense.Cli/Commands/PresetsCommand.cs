using System.CommandLine;
using System.Text.Json;
using AgentFense.Policy;

namespace AgentFense.Cli.Commands;

/// <summary><c>agentfense presets</c>: the built-in presets and their rules.</summary>
internal static class PresetsCommand
{
    public static Command Create(CliConsole console)
    {
        var json = new Option<bool>("--json") { Description = "Print the presets as JSON" };
        var command = new Command("presets", "List the built-in presets with their rules") { json };
        command.SetAction(result =>
        {
            if (result.GetValue(json))
                WriteJson(console.Out);
            else
                WriteText(console.Out);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void WriteText(TextWriter output)
    {
        foreach (var preset in Presets.All)
        {
            output.WriteLine($"{preset.Name}: {preset.Description}");
            foreach (var rule in preset.Rules)
                output.WriteLine($"  {rule.Pattern,-18} {PolicyNames.Format(rule.Permission),-6} @{rule.Priority}");
            output.WriteLine();
        }
    }

    private static void WriteJson(TextWriter output)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var preset in Presets.All)
            {
                w.WriteStartObject();
                w.WriteString("name", preset.Name);
                w.WriteString("description", preset.Description);
                w.WriteStartArray("rules");
                foreach (var rule in preset.Rules)
                {
                    w.WriteStartObject();
                    w.WriteString("pattern", rule.Pattern);
                    w.WriteString("permission", PolicyNames.Format(rule.Permission));
                    w.WriteString("type", PolicyNames.Format(rule.Type));
                    w.WriteNumber("priority", rule.Priority);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
