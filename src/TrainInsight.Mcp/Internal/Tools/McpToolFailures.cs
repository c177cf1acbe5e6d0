namespace TrainInsight.Mcp.Internal.Tools;

/// <summary>How many tool calls failed unexpectedly (each one logged once); an error result to the client was given for each.</summary>
internal sealed class McpToolFailures
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Add() => Interlocked.Increment(ref _count);
}
