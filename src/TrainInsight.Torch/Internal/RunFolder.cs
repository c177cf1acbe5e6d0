namespace TrainInsight.Torch.Internal;

/// <summary>The one folder name a run gets under checkpoint and TensorBoard roots.</summary>
internal static class RunFolder
{
    /// <summary>The run id as one ordinary path segment.</summary>
    public static string Name(string runId)
    {
        // Run ids are already letters, digits, '-', '_' and '.'; the rest is belt and braces.
        var name = string.Concat(runId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));

        // "." and ".." are not folders of their own, and Windows drops a name's trailing dots.
        return name.Length == 0 || name[^1] == '.' ? name + "_" : name;
    }
}
