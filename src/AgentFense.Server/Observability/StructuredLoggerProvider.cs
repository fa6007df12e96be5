using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace AgentFense.Server.Observability;

/// <summary>
/// Writes log lines as readable text or one JSON object per line, each with the request, sandbox and session ids
/// of the scope it was written in (<see cref="LogIds"/>). What is logged is the message only: request bodies,
/// environment values and API keys never reach a logger.
/// </summary>
internal sealed partial class StructuredLoggerProvider(Action<string> write, bool json, LogLevel minimum) : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    /// <summary>A sandbox id named in an engine message ("sandbox sb_…: …").</summary>
    [GeneratedRegex(@"\bsb_[0-9a-f]{16}\b", RegexOptions.CultureInvariant)]
    private static partial Regex SandboxIdPattern();

    private void Write(string category, LogLevel level, string message, Exception? exception)
    {
        string? request = null, sandbox = null, session = null;
        _scopes.ForEachScope((scope, _) =>
        {
            if (scope is LogIds ids)
            {
                request = ids.RequestId ?? request;
                sandbox = ids.SandboxId ?? sandbox;
                session = ids.SessionId ?? session;
            }
        }, (object?)null);
        if (sandbox is null && SandboxIdPattern().Match(message) is { Success: true } match)
            sandbox = match.Value;
        var time = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        write(json ? Json(time, category, level, message, exception, request, sandbox, session)
            : Text(time, category, level, message, exception, request, sandbox, session));
    }

    private static string Text(string time, string category, LogLevel level, string message, Exception? exception, string? request, string? sandbox, string? session)
    {
        var line = new StringBuilder().Append(time).Append(' ').Append(LevelName(level)).Append(' ').Append(category).Append(": ").Append(message);
        if (exception is not null)
            line.Append(" (").Append(exception.GetType().Name).Append(": ").Append(exception.Message).Append(')');
        var ids = new LogIds(request, sandbox, session).ToString();
        if (ids.Length > 0)
            line.Append(" [").Append(ids).Append(']');
        return line.ToString();
    }

    private static string Json(string time, string category, LogLevel level, string message, Exception? exception, string? request, string? sandbox, string? session)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("time", time);
            writer.WriteString("level", LevelName(level));
            writer.WriteString("category", category);
            writer.WriteString("message", message);
            if (request is not null)
                writer.WriteString("requestId", request);
            if (sandbox is not null)
                writer.WriteString("sandboxId", sandbox);
            if (session is not null)
                writer.WriteString("sessionId", session);
            if (exception is not null)
                writer.WriteString("exception", $"{exception.GetType().Name}: {exception.Message}");
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "error",
        LogLevel.Critical => "crit",
        _ => "none",
    };

    private sealed class Logger(StructuredLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= provider._minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                provider.Write(category, logLevel, formatter(state, exception), exception);
        }
    }

    private readonly LogLevel _minimum = minimum;
}
