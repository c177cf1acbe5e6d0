namespace TrainInsight.TensorBoard;

/// <summary>Reads the events of one TensorBoard event file, also while it grows.</summary>
public sealed class TensorBoardEventFileReader : IDisposable
{
    /// <summary>Opens an event file for reading, sharing it with writers.</summary>
    /// <param name="path">The event file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public TensorBoardEventFileReader(string path) => throw new NotImplementedException();

    /// <summary>Gets the file's full path.</summary>
    public string Path => throw new NotImplementedException();

    /// <summary>Gets how many bytes of the file were consumed.</summary>
    public long Position => throw new NotImplementedException();

    /// <summary>Gets how many complete records with valid checksums were read.</summary>
    public long RecordsRead => throw new NotImplementedException();

    /// <summary>Gets how many records were skipped because a checksum did not match.</summary>
    public long CorruptRecords => throw new NotImplementedException();

    /// <summary>Gets how many well-framed records were skipped because they did not hold a valid event.</summary>
    public long UnreadableRecords => throw new NotImplementedException();

    /// <summary>Gets a value indicating whether an incomplete record at the end of the file waits for more bytes.</summary>
    public bool HasPartialRecord => throw new NotImplementedException();

    /// <summary>Reads the events of the complete records now in the file.</summary>
    /// <param name="maxEvents">The most events to return.</param>
    /// <returns>The events, in file order.</returns>
    public IReadOnlyList<TensorBoardEvent> ReadAvailable(int maxEvents = int.MaxValue) => throw new NotImplementedException();

    /// <summary>Reads a whole event file once.</summary>
    /// <param name="path">The event file.</param>
    /// <returns>The events, in file order.</returns>
    public static IEnumerable<TensorBoardEvent> ReadAll(string path) => throw new NotImplementedException();

    /// <summary>Closes the file.</summary>
    public void Dispose() => throw new NotImplementedException();
}
