using Microsoft.Extensions.Logging;

namespace TrainInsight.TensorBoard.Internal;

/// <summary>
/// One event file being tailed: its reader, what was read of it, and how to tell it was replaced (its first bytes, its
/// length). Used under the tailer's scan lock.
/// </summary>
internal sealed class TailedFile(string path, RunDescriptor run, TensorBoardEventFileReader reader)
{
    private const int EventsPerRead = 4_096;

    // The first bytes of a file identify it: a file replaced at the same path (renamed over, or truncated and rewritten)
    // starts differently, since its first record holds its own wall time.
    private const int HeadLength = 64;

    public string Path { get; } = path;

    public RunDescriptor Run { get; } = run;

    public TensorBoardEventFileReader Reader { get; private set; } = reader;

    public byte[] Head { get; set; } = [];

    private long RecordsSeen { get; set; }

    private long CorruptSeen { get; set; }

    private long LastLength { get; set; } = -1;

    private DateTime LastWrite { get; set; }

    /// <summary>The first bytes of a file, or an empty array when it cannot be read now.</summary>
    public static byte[] ReadHead(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
            var head = new byte[HeadLength];
            var read = stream.ReadAtLeast(head, HeadLength, throwOnEndOfStream: false);
            return head[..read];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone or locked right now: an empty head identifies nothing, and the next scan reads it again.
            return [];
        }
    }

    /// <summary>
    /// Reads what the file gained since the last call (all of it again when it was replaced) and hands each event to
    /// <paramref name="publish"/>, which returns how many values it published.
    /// </summary>
    /// <returns>The values published, the records read and the corrupt records skipped since the last call.</returns>
    public (long Published, long Records, long Corrupt) Drain(Func<RunDescriptor, TensorBoardEvent, int> publish, ILogger logger, CancellationToken cancellationToken)
    {
        long published = 0;
        try
        {
            var info = new FileInfo(Path);
            var length = info.Length;
            var written = info.LastWriteTimeUtc;
            if (length == LastLength && written == LastWrite && !Reader.HasPartialRecord)
            {
                // Unchanged since the last scan: nothing to read.
                return (0, 0, 0);
            }

            // A file replaced at the same path (renamed over, or truncated and rewritten) starts differently, or is shorter
            // than what was read: read it again from its start.
            var head = ReadHead(Path);
            var known = Head;
            var compared = Math.Min(head.Length, known.Length);
            var replaced = length < Reader.Position || (compared > 0 && !head.AsSpan(0, compared).SequenceEqual(known.AsSpan(0, compared)));
            if (replaced)
            {
                TailerLog.FileReplaced(logger, Path);
                Reader.Dispose();
                Reader = new TensorBoardEventFileReader(Path);
                CorruptSeen = 0;
                RecordsSeen = 0;
                known = [];
            }

            if (head.Length > known.Length)
            {
                Head = head;
            }

            LastLength = length;
            LastWrite = written;
            while (!cancellationToken.IsCancellationRequested)
            {
                var events = Reader.ReadAvailable(EventsPerRead);
                foreach (var e in events)
                {
                    published += publish(Run, e);
                }

                if (events.Count < EventsPerRead)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TailerLog.FileUnreadable(logger, Path, ex);
        }

        var records = Reader.RecordsRead - RecordsSeen;
        RecordsSeen = Reader.RecordsRead;
        var corrupt = Reader.CorruptRecords - CorruptSeen;
        if (corrupt > 0)
        {
            TailerLog.CorruptRecords(logger, corrupt, Path);
            CorruptSeen = Reader.CorruptRecords;
        }

        return (published, records, Math.Max(0, corrupt));
    }
}
