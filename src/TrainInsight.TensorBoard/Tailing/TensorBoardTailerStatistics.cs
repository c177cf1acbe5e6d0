namespace TrainInsight.TensorBoard;

/// <summary>What a <see cref="TensorBoardTailer"/> has done so far.</summary>
/// <param name="Files">Event files being tailed.</param>
/// <param name="Runs">Runs found.</param>
/// <param name="Records">Complete records read.</param>
/// <param name="CorruptRecords">Records skipped because a checksum did not match.</param>
/// <param name="Scalars">Values published as metrics (a histogram counts as its four summary values).</param>
/// <param name="Scans">Scans of the directory so far.</param>
public readonly record struct TensorBoardTailerStatistics(int Files, int Runs, long Records, long CorruptRecords, long Scalars, long Scans);
