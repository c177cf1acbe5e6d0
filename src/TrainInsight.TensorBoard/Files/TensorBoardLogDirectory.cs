namespace TrainInsight.TensorBoard;

/// <summary>Finds the event files of a TensorBoard log directory.</summary>
public static class TensorBoardLogDirectory
{
    private const string EventFileMarker = "tfevents";

    /// <summary>
    /// Lists the event files under <paramref name="root"/>, recursively: files whose name contains "tfevents". Each
    /// file's run is its folder relative to <paramref name="root"/> with '/' separators ("." for
    /// <paramref name="root"/> itself). Folders that cannot be read are skipped.
    /// </summary>
    /// <param name="root">The log directory.</param>
    /// <returns>The event files, sorted by run, then by file name (ordinal).</returns>
    /// <exception cref="ArgumentException"><paramref name="root"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="root"/> is <see langword="null"/>.</exception>
    /// <exception cref="DirectoryNotFoundException"><paramref name="root"/> does not exist.</exception>
    public static IReadOnlyList<TensorBoardEventFile> EnumerateEventFiles(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        var fullRoot = Path.GetFullPath(root);
        if (!Directory.Exists(fullRoot))
        {
            throw new DirectoryNotFoundException($"The TensorBoard log directory '{fullRoot}' does not exist.");
        }

        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.None,
            MatchType = MatchType.Simple,
        };
        var files = new List<(string Run, string Name, string Path)>();
        foreach (var file in Directory.EnumerateFiles(fullRoot, "*", options))
        {
            var name = Path.GetFileName(file);
            if (!name.Contains(EventFileMarker, StringComparison.Ordinal))
            {
                continue;
            }

            var run = Path.GetRelativePath(fullRoot, Path.GetDirectoryName(file)!);
            if (Path.DirectorySeparatorChar != '/')
            {
                run = run.Replace(Path.DirectorySeparatorChar, '/');
            }

            files.Add((run, name, file));
        }

        files.Sort(static (a, b) =>
        {
            var byRun = string.CompareOrdinal(a.Run, b.Run);
            return byRun != 0 ? byRun : string.CompareOrdinal(a.Name, b.Name);
        });
        return files.ConvertAll(static f => new TensorBoardEventFile(f.Run, f.Path));
    }
}
