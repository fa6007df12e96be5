using Microsoft.Extensions.Logging;

namespace AgentFense.Server;

/// <summary>Hands log lines of ASP.NET Core to the server's <see cref="ServerOptions.Log"/> callback.</summary>
internal sealed class LineLoggerProvider(Action<string> log) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new LineLogger(categoryName, log);

    public void Dispose()
    {
    }

    private sealed class LineLogger(string category, Action<string> log) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                log($"{logLevel}: {category}: {formatter(state, exception)}" + (exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})"));
        }
    }
}
