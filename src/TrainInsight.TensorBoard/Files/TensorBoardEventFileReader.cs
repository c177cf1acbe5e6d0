using TrainInsight.TensorBoard.Internal;

namespace TrainInsight.TensorBoard;

/// <summary>Reads the events of one TensorBoard event file, also while a writer is still appending to it.</summary>
/// <remarks>
/// <para>
/// An event file is a sequence of TFRecord frames, each holding one serialized <c>Event</c>. Every call of
/// <see cref="ReadAvailable"/> returns the events of the complete frames added since the last call; an incomplete
/// frame at the end (a writer in the middle of a write) is left for a later call and reported by
/// <see cref="HasPartialRecord"/>, never as an error.
/// </para>
/// <para>
/// Damage is counted, skipped and never thrown: a frame whose data CRC does not match is skipped
/// (<see cref="CorruptRecords"/>); a frame whose length CRC does not match (or declares more than 256 MiB) means the
/// framing is lost, which counts once, and reading resumes at the next position whose 12-byte header has a valid
/// length CRC; a frame with valid CRCs whose payload is not a valid event is skipped (<see cref="UnreadableRecords"/>).
/// A declared length never sizes memory by itself: the reader buffers only bytes that are in the file.
/// </para>
/// <para>An instance is not thread-safe. See docs/tensorboard.md for what is decoded.</para>
/// </remarks>
public sealed class TensorBoardEventFileReader : IDisposable
{
    private readonly Stream _stream;
    private readonly TfRecordScanner _scanner;
    private readonly StringCache _strings = new();
    private bool _disposed;

    /// <summary>Opens an event file for reading, sharing it with writers (and with deletion).</summary>
    /// <param name="path">The event file.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public TensorBoardEventFileReader(string path)
        : this(OpenShared(path, out var fullPath), fullPath)
    {
    }

    /// <summary>Reads event records from a stream (tests and benchmarks); the reader disposes it.</summary>
    internal TensorBoardEventFileReader(Stream stream, string path)
    {
        _stream = stream;
        Path = path;
        _scanner = new TfRecordScanner(stream);
    }

    /// <summary>Gets the file's full path.</summary>
    public string Path { get; }

    /// <summary>
    /// Gets the offset in the file up to which bytes were consumed: complete records, and the bytes skipped as corrupt.
    /// An incomplete record at the end is not consumed.
    /// </summary>
    public long Position => _scanner.Position;

    /// <summary>Gets how many complete records with valid CRCs were read (including <see cref="UnreadableRecords"/>).</summary>
    public long RecordsRead => _scanner.RecordsRead;

    /// <summary>
    /// Gets how many records were skipped because a CRC did not match. A lost framing (length CRC mismatch) counts once
    /// however many bytes are skipped to find the next valid header.
    /// </summary>
    public long CorruptRecords => _scanner.CorruptRecords;

    /// <summary>Gets how many records with valid CRCs were skipped because their payload is not a valid event.</summary>
    public long UnreadableRecords { get; private set; }

    /// <summary>
    /// Gets a value indicating whether the last <see cref="ReadAvailable"/> stopped at an incomplete record at the end of
    /// the file, which a later call reads once the rest is written.
    /// </summary>
    public bool HasPartialRecord => _scanner.HasPartialRecord;

    /// <summary>Reads the events of the complete records now in the file, from <see cref="Position"/> on.</summary>
    /// <param name="maxEvents">The most events to return; the rest stay for the next call.</param>
    /// <returns>The events, in file order; empty when no complete record was added since the last call.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxEvents"/> is negative.</exception>
    /// <exception cref="ObjectDisposedException">The reader was disposed.</exception>
    /// <exception cref="IOException">The file could not be read.</exception>
    public IReadOnlyList<TensorBoardEvent> ReadAvailable(int maxEvents = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxEvents);
        ObjectDisposedException.ThrowIf(_disposed, this);
        List<TensorBoardEvent>? events = null;
        while ((events?.Count ?? 0) < maxEvents && _scanner.TryReadRecord(out var payload))
        {
            if (EventDecoder.TryDecode(payload, _strings, out var decoded))
            {
                (events ??= []).Add(decoded!);
            }
            else
            {
                UnreadableRecords++;
            }
        }

        return events is null ? [] : events;
    }

    /// <summary>Reads a whole event file once, lazily; an incomplete record at its end is ignored.</summary>
    /// <param name="path">The event file.</param>
    /// <returns>The events, in file order. The file is open while they are enumerated.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist (thrown at the call, not at enumeration).</exception>
    public static IEnumerable<TensorBoardEvent> ReadAll(string path)
    {
        var fullPath = FullPathOfExistingFile(path);
        return ReadAllCore(() => new TensorBoardEventFileReader(fullPath));
    }

    /// <summary>Reads every event of a stream holding event records (tests and benchmarks).</summary>
    internal static IEnumerable<TensorBoardEvent> ReadAll(Stream stream) =>
        ReadAllCore(() => new TensorBoardEventFileReader(stream, "(stream)"));

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _scanner.Dispose();
        _stream.Dispose();
    }

    private static IEnumerable<TensorBoardEvent> ReadAllCore(Func<TensorBoardEventFileReader> open)
    {
        const int Batch = 1024;
        using var reader = open();
        while (true)
        {
            var events = reader.ReadAvailable(Batch);
            foreach (var e in events)
            {
                yield return e;
            }

            if (events.Count < Batch)
            {
                yield break;
            }
        }
    }

    private static string FullPathOfExistingFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = System.IO.Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"The TensorBoard event file '{fullPath}' does not exist.", fullPath);
        }

        return fullPath;
    }

    private static FileStream OpenShared(string path, out string fullPath)
    {
        fullPath = FullPathOfExistingFile(path);

        // bufferSize 0: the scanner buffers; reads go to the file at the current offset, so bytes appended later are seen.
        return new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
    }
}
