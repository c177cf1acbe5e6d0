namespace TrainInsight.TensorBoard;

/// <summary>Finds the event files of a TensorBoard log directory.</summary>
public static class TensorBoardLogDirectory
{
    /// <summary>Lists the event files under <paramref name="root"/>.</summary>
    /// <param name="root">The log directory.</param>
    /// <returns>The event files, sorted by run, then by file name.</returns>
    /// <exception cref="DirectoryNotFoundException"><paramref name="root"/> does not exist.</exception>
    public static IReadOnlyList<TensorBoardEventFile> EnumerateEventFiles(string root) => throw new NotImplementedException();
}
