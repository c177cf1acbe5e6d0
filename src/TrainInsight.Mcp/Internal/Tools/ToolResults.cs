using ModelContextProtocol.Protocol;
using TrainInsight.Llm.Internal.Context;

namespace TrainInsight.Mcp.Internal.Tools;

/// <summary>The results the tools give: text, or an error result (<see cref="CallToolResult.IsError"/>) whose text says what was wrong.</summary>
internal static class ToolResults
{
    private const string ErrorPrefix = "error: ";

    public static CallToolResult Text(string text) => new() { Content = [new TextContentBlock { Text = text }] };

    public static CallToolResult Error(string message) => new()
    {
        IsError = true,
        Content = [new TextContentBlock { Text = ErrorPrefix + message }],
    };

    /// <summary>A data block of the assistant's run tools; those say "error: …" inside the block for a bad argument.</summary>
    public static CallToolResult FromBlock(string block)
    {
        var body = block.StartsWith(RunContextBuilder.OpenTag + "\n", StringComparison.Ordinal) ? block[(RunContextBuilder.OpenTag.Length + 1)..] : block;
        return body.StartsWith(ErrorPrefix, StringComparison.Ordinal) ? new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = block }] } : Text(block);
    }
}
