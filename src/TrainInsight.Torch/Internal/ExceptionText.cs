namespace TrainInsight.Torch.Internal;

internal static class ExceptionText
{
    /// <summary>
    /// The first line of a message. TorchSharp's native errors append the whole C++ backtrace (with library paths):
    /// acknowledgements, run events and exceptions keep only the first line.
    /// </summary>
    public static string FirstLine(string message)
    {
        var end = message.AsSpan().IndexOfAny('\r', '\n');
        return end < 0 ? message : message[..end];
    }
}
