using Microsoft.AspNetCore.Http;

namespace AgentFense.Server;

/// <summary>
/// Reads every REST request body as JSON, whatever its Content-Type says: the original gateway does, so
/// scripts such as <c>curl -d '{...}'</c> (sent as form-urlencoded) keep working. Only HTTP/1.x requests
/// (the REST endpoint) are touched; gRPC runs over HTTP/2.
/// </summary>
internal static class JsonContentTypeMiddleware
{
    public static Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        var hasBody = request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;
        if (hasBody && !HttpProtocol.IsHttp2(request.Protocol) &&
            (request.ContentType is null || !request.ContentType.Contains("json", StringComparison.OrdinalIgnoreCase)))
            request.ContentType = "application/json";
        return next(context);
    }
}
