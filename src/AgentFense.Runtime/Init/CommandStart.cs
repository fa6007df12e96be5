using System.Diagnostics;
using AgentFense.Init.Protocol;
using AgentFense.Runtime.Diagnostics;

namespace AgentFense.Runtime.Init;

/// <summary>
/// What is known of a command when it is sent: its text, session, start time and span. Reports the
/// <see cref="CommandRecord"/> to the client's observers once the command's exit (or failure) is known.
/// </summary>
internal sealed class CommandStart
{
    private readonly InitClient _client;
    private readonly string _command;
    private readonly uint _sessionId;
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
    private readonly long _startTimestamp = Stopwatch.GetTimestamp();
    private readonly Activity? _activity;
    private int _reported;

    public CommandStart(InitClient client, string command, uint sessionId)
    {
        _client = client;
        _command = command;
        _sessionId = sessionId;
        _activity = RuntimeTracing.Source.StartActivity("box.command");
        if (_activity is not null && sessionId != 0)
            _activity.SetTag("agentfense.init.session", sessionId);
    }

    /// <summary>The command line as recorded: a shell command as given, an argv joined by spaces.</summary>
    public static string TextOf(ExecOptions options) =>
        options.Command ?? string.Join(' ', options.Argv ?? []);

    /// <summary>Init refused the request before the command ran.</summary>
    public void Fail(Exception error) => Report(Task.FromException<ExitStatus>(error));

    /// <summary>Reports the command's end once (later calls do nothing); <paramref name="exit"/> is completed.</summary>
    public void Report(Task<ExitStatus> exit)
    {
        if (Interlocked.Exchange(ref _reported, 1) != 0)
            return;
        var elapsed = Stopwatch.GetElapsedTime(_startTimestamp);
        CommandRecord record;
        if (exit.IsCompletedSuccessfully)
        {
            var status = exit.Result;
            record = new CommandRecord(_command, _sessionId, _started, status, null) { Duration = TimeSpan.FromMicroseconds(status.DurationMicros) };
            if (_activity is not null)
            {
                _activity.SetTag("process.exit.code", status.ShellExitCode);
                if ((status.Flags & ExitFlags.TimedOut) != 0)
                    _activity.SetStatus(ActivityStatusCode.Error, "timed out");
            }
        }
        else
        {
            var message = exit.Exception?.InnerException?.Message ?? "cancelled";
            record = new CommandRecord(_command, _sessionId, _started, null, message) { Duration = elapsed };
            _activity?.SetStatus(ActivityStatusCode.Error, message);
        }
        _activity?.Dispose();
        _client.OnCommandEnded(record);
    }
}
