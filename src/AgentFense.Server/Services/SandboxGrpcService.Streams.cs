using AgentFense.Api.V1;
using AgentFense.Init.Protocol;
using AgentFense.Runtime.Init;
using Google.Protobuf;
using Grpc.Core;

namespace AgentFense.Server.Services;

internal sealed partial class SandboxGrpcService
{
    /// <summary>
    /// Sends stdout and stderr chunks as they come, then one last message with <see cref="ExecOutput.Exit"/>
    /// (exit code, duration, truncation; type UNSPECIFIED, no data). A command past its timeout ends the
    /// stream with DEADLINE_EXCEEDED instead; cancelling the RPC kills the command.
    /// </summary>
    public override async Task ExecStream(Api.V1.ExecRequest request, IServerStreamWriter<ExecOutput> responseStream, ServerCallContext context)
    {
        Running(request.SandboxId);
        if (request.Command.Length == 0)
            throw ApiMapping.Invalid("the command is empty");
        var execOptions = ToExecOptions(request);
        await WriteOutputAsync(manager.ExecStreamAsync(request.SandboxId, execOptions, context.CancellationToken), execOptions.Timeout, responseStream, context);
    }

    private static async Task WriteOutputAsync(IAsyncEnumerable<OutputChunk> output, TimeSpan? timeout,
        IServerStreamWriter<ExecOutput> responseStream, ServerCallContext context)
    {
        await foreach (var chunk in output.WithCancellation(context.CancellationToken))
        {
            if (chunk.Exit is { } exit)
            {
                if ((exit.Flags & ExitFlags.TimedOut) != 0)
                    throw TimedOut(timeout);
                await responseStream.WriteAsync(new ExecOutput { Exit = ToExit(exit) }, context.CancellationToken);
                return;
            }
            var type = chunk.Stream == OutputStream.Stderr ? ExecOutput.Types.OutputType.Stderr : ExecOutput.Types.OutputType.Stdout;
            // The chunk's memory is the engine's until the next item: copy it before the write awaits.
            await responseStream.WriteAsync(new ExecOutput { Type = type, Data = ByteString.CopyFrom(chunk.Data.Span) }, context.CancellationToken);
        }
    }

    private static ExecExit ToExit(ExitStatus exit) => new()
    {
        ExitCode = exit.ShellExitCode,
        Duration = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromMicroseconds(exit.DurationMicros)),
        StdoutTruncated = (exit.Flags & ExitFlags.StdoutTruncated) != 0,
        StderrTruncated = (exit.Flags & ExitFlags.StderrTruncated) != 0,
    };
}
