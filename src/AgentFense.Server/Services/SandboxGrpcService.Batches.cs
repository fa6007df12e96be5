using AgentFense.Api.V1;
using Grpc.Core;
using static AgentFense.Server.Services.ApiMapping;

namespace AgentFense.Server.Services;

/// <summary>
/// Batch create, start and destroy. Every item is attempted through the same code as the single-item method
/// (owner check, per-owner limit, defaults), and its result is its sandbox or its error: status code, message
/// and ErrorInfo reason, as the single-item call would have answered. Starts and destroys run concurrently
/// (each sandbox's lifecycle is serialized by the engine); creates run in order, so the per-owner limit
/// admits the first items of a batch that passes it.
/// </summary>
internal sealed partial class SandboxGrpcService
{
    /// <summary>The most items one batch may hold.</summary>
    internal const int MaxBatchSize = 1000;

    public override async Task<BatchSandboxesResponse> BatchCreateSandboxes(BatchCreateSandboxesRequest request, ServerCallContext context)
    {
        CheckBatchSize(request.Requests.Count);
        var results = new BatchSandboxResult[request.Requests.Count];
        for (var i = 0; i < results.Length; i++)
        {
            var item = request.Requests[i];
            results[i] = await Attempt("", () => CreateCoreAsync(item, context.CancellationToken));
        }
        if (request.Start)
        {
            await Task.WhenAll(results.Select(async (result, i) =>
            {
                if (result.Sandbox is null)
                    return;
                var started = await Attempt(result.SandboxId, () => StartCoreAsync(result.SandboxId, context.CancellationToken));
                // A sandbox that was created but did not start exists: its result keeps it beside the error.
                started.Sandbox ??= Current(result.SandboxId);
                results[i] = started;
            }));
        }
        return Response(results);
    }

    public override async Task<BatchSandboxesResponse> BatchStartSandboxes(BatchSandboxIdsRequest request, ServerCallContext context)
    {
        CheckBatchSize(request.SandboxIds.Count);
        var results = await Task.WhenAll(request.SandboxIds.Select(id => Attempt(id, () => StartCoreAsync(id, context.CancellationToken))));
        return Response(results);
    }

    public override async Task<BatchSandboxesResponse> BatchDestroySandboxes(BatchSandboxIdsRequest request, ServerCallContext context)
    {
        CheckBatchSize(request.SandboxIds.Count);
        var results = await Task.WhenAll(request.SandboxIds.Select(id => Attempt(id, async () =>
        {
            // The result of a destroyed sandbox is its last state, for the record of what went.
            var last = Current(id);
            await DestroyCoreAsync(id, context.CancellationToken);
            return last;
        })));
        return Response(results);
    }

    private static void CheckBatchSize(int count)
    {
        if (count > MaxBatchSize)
            throw Invalid($"a batch holds at most {MaxBatchSize} items (got {count})");
    }

    private static BatchSandboxesResponse Response(IEnumerable<BatchSandboxResult> results)
    {
        var response = new BatchSandboxesResponse();
        response.Results.AddRange(results);
        return response;
    }

    /// <summary>Runs one item; its error becomes the result, with the code and reason the single call would have had.</summary>
    private static async Task<BatchSandboxResult> Attempt(string id, Func<Task<Sandbox>> item)
    {
        try
        {
            var sandbox = await item();
            return new BatchSandboxResult { SandboxId = sandbox.Id, Sandbox = sandbox };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var error = e as RpcException ?? EngineErrorInterceptor.Map(e)
                ?? ApiErrors.Create(StatusCode.Internal, ApiErrors.Internal, e.Message);
            return new BatchSandboxResult
            {
                SandboxId = id,
                ErrorCode = (int)error.StatusCode,
                ErrorMessage = error.Status.Detail,
                ErrorReason = ApiErrors.ReasonOf(error) ?? "",
            };
        }
    }
}
