using System.CommandLine;

namespace AgentFense.Cli;

/// <summary>Parse-time checks shared by commands.</summary>
internal static class ArgumentChecks
{
    /// <summary>
    /// Refuses a value that looks like an option: the parser would otherwise take a mistyped
    /// <c>--flag</c> as the positional argument and report the wrong token.
    /// </summary>
    public static Argument<string> NotAnOption(this Argument<string> argument)
    {
        argument.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (token.Value.StartsWith('-') && token.Value != "-")
                    result.AddError($"unknown option '{token.Value}'");
            }
        });
        return argument;
    }
}
