namespace TrainInsight.TensorBoard;

/// <summary>An event file found under a log directory.</summary>
/// <param name="Run">The run: the file's folder relative to the log directory, with '/' separators ("." for the log directory itself).</param>
/// <param name="Path">The file's full path.</param>
public sealed record TensorBoardEventFile(string Run, string Path);
