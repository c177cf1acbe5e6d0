using Google.Protobuf;
using TrainInsight.TensorBoard.Internal;
using TrainInsight.TensorBoard.Protos;
using TrainInsight.TensorBoard.Tests.Infrastructure;
using static TrainInsight.TensorBoard.Tests.Infrastructure.EventFileBuilder;

namespace TrainInsight.TensorBoard.Tests.Files;

/// <summary>Framing: growing files, partial, corrupt and forged records, through files written in the documented format.</summary>
public sealed class TensorBoardEventFileReaderTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Ctor_MissingFile_ThrowsFileNotFoundNamingIt()
    {
        var path = _directory.File("events.out.tfevents.missing");

        var act = () => new TensorBoardEventFileReader(path);

        act.Should().Throw<FileNotFoundException>().Where(e => e.FileName == path && e.Message.Contains(path));
    }

    [Fact]
    public void ReadAll_MissingFile_ThrowsAtTheCall()
    {
        var path = _directory.File("events.out.tfevents.missing");

        var act = () => TensorBoardEventFileReader.ReadAll(path);

        act.Should().Throw<FileNotFoundException>().Where(e => e.FileName == path);
    }

    [Fact]
    public void Ctor_RelativePath_ReportsTheFullPath()
    {
        var path = Builder(2).WriteTo(_directory.File("events.out.tfevents.1"));
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, path);

        using var reader = new TensorBoardEventFileReader(relative);

        reader.Path.Should().Be(path);
    }

    [Fact]
    public void ReadAvailable_FileOpenByAWriter_ReadsWhatItWroteSoFar()
    {
        var path = _directory.File("events.out.tfevents.2");
        using var writer = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        writer.Write(Builder(3).ToArray());
        writer.Flush();

        using var reader = new TensorBoardEventFileReader(path);

        reader.ReadAvailable().Should().HaveCount(4);
    }

    [Fact]
    public void ReadAvailable_FileGrowsBetweenCalls_ReturnsOnlyTheNewEvents()
    {
        var path = _directory.File("events.out.tfevents.3");
        using var writer = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new TensorBoardEventFileReader(path);
        reader.ReadAvailable().Should().BeEmpty("the file is empty");
        reader.HasPartialRecord.Should().BeFalse();

        var steps = new List<long>();
        for (var step = 1; step <= 50; step++)
        {
            writer.Write(Frame(ScalarEvent(step).ToByteArray()));
            writer.Flush();
            if (step % 7 == 0)
            {
                steps.AddRange(reader.ReadAvailable().Select(e => e.Step));
                reader.Position.Should().Be(writer.Length);
            }
        }

        steps.AddRange(reader.ReadAvailable().Select(e => e.Step));
        steps.Should().Equal(Enumerable.Range(1, 50).Select(i => (long)i));
        reader.RecordsRead.Should().Be(50);
        reader.Position.Should().Be(writer.Length);
    }

    [Fact]
    public void ReadAvailable_TrailingRecordCutAnywhere_WaitsThenReadsItOnceComplete()
    {
        var complete = Builder(2).ToArray();
        var lastFrame = Frame(ScalarEvent(99).ToByteArray());
        var bytes = complete.Concat(lastFrame).ToArray();

        for (var cut = 1; cut < lastFrame.Length; cut++)
        {
            var path = _directory.File($"events.out.tfevents.cut{cut}");
            File.WriteAllBytes(path, bytes[..(complete.Length + cut)]);
            using var reader = new TensorBoardEventFileReader(path);

            reader.ReadAvailable().Should().HaveCount(3, "the complete records are read (cut {0})", cut);
            reader.HasPartialRecord.Should().BeTrue();
            reader.Position.Should().Be(complete.Length, "the partial record is not consumed");
            reader.CorruptRecords.Should().Be(0, "a partial record is not corrupt (cut {0})", cut);
            reader.ReadAvailable().Should().BeEmpty("still partial");

            using (var append = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
            {
                append.Write(bytes.AsSpan(complete.Length + cut));
            }

            reader.ReadAvailable().Should().ContainSingle().Which.Step.Should().Be(99);
            reader.HasPartialRecord.Should().BeFalse();
            reader.Position.Should().Be(bytes.Length);
            reader.CorruptRecords.Should().Be(0);
        }
    }

    [Fact]
    public void ReadAll_TrailingRecordMissingItsDataCrc_IgnoresIt()
    {
        var bytes = Builder(3).ToArray();
        var path = _directory.File("events.out.tfevents.4");
        File.WriteAllBytes(path, bytes[..^4]);

        TensorBoardEventFileReader.ReadAll(path).Select(e => e.Step).Should().Equal(0L, 1L, 2L);
    }

    [Fact]
    public void ReadAvailable_CorruptDataCrc_CountsAndSkipsTheRecordAndReadsTheFollowingOnes()
    {
        var builder = Builder(4);
        var bytes = builder.ToArray();
        var second = (int)builder.FrameOffsets[2];
        bytes[second + TfRecordScanner.HeaderLength + 3] ^= 0x10;   // a data byte of step 2's record

        using var reader = ReaderFor(bytes);
        var events = reader.ReadAvailable();

        events.Select(e => e.Step).Should().Equal(0L, 1L, 3L, 4L);
        reader.CorruptRecords.Should().Be(1);
        reader.RecordsRead.Should().Be(4);
        reader.Position.Should().Be(bytes.Length);
    }

    [Fact]
    public void ReadAvailable_CorruptStoredDataCrc_CountsAndSkipsTheRecord()
    {
        var builder = Builder(2);
        var bytes = builder.ToArray();
        bytes[(int)builder.FrameOffsets[2] - 1] ^= 0xFF;   // the data CRC of step 1's record

        using var reader = ReaderFor(bytes);

        reader.ReadAvailable().Select(e => e.Step).Should().Equal(0L, 2L);
        reader.CorruptRecords.Should().Be(1);
    }

    [Theory]
    [InlineData(0)]    // a length byte
    [InlineData(7)]    // the top length byte
    [InlineData(9)]    // a length CRC byte
    public void ReadAvailable_CorruptLengthCrc_ResynchronizesAtTheNextRecord(int headerByte)
    {
        var builder = Builder(4);
        var bytes = builder.ToArray();
        bytes[(int)builder.FrameOffsets[2] + headerByte] ^= 0x01;

        using var reader = ReaderFor(bytes);
        var events = reader.ReadAvailable();

        events.Select(e => e.Step).Should().Equal(0L, 1L, 3L, 4L);
        reader.CorruptRecords.Should().Be(1, "one lost framing counts once, however many bytes are skipped");
        reader.RecordsRead.Should().Be(4);
        reader.HasPartialRecord.Should().BeFalse();
        reader.Position.Should().Be(bytes.Length);
    }

    [Fact]
    public void ReadAvailable_GarbageBetweenRecords_ResynchronizesAfterIt()
    {
        var garbage = new byte[1000];
        new Random(5).NextBytes(garbage);
        var bytes = Builder(1).Raw(garbage).Summary(7, SimpleValue("loss", 1f)).ToArray();

        using var reader = ReaderFor(bytes);

        reader.ReadAvailable().Select(e => e.Step).Should().Equal(0L, 1L, 7L);
        reader.CorruptRecords.Should().Be(1);
    }

    [Fact]
    public void ReadAvailable_GarbageOnly_ConsumesAllButTheLastElevenBytes()
    {
        var garbage = new byte[5000];
        new Random(6).NextBytes(garbage);

        using var reader = ReaderFor(garbage);

        reader.ReadAvailable().Should().BeEmpty();
        reader.CorruptRecords.Should().Be(1);
        reader.Position.Should().Be(garbage.Length - 11, "fewer than 12 bytes cannot hold a header yet");
        reader.HasPartialRecord.Should().BeTrue();
    }

    [Fact]
    public void ReadAvailable_ResynchronizingAcrossAppends_FindsTheNextRecord()
    {
        var path = _directory.File("events.out.tfevents.5");
        var garbage = new byte[300];
        new Random(7).NextBytes(garbage);
        File.WriteAllBytes(path, Builder(1).Raw(garbage).ToArray());
        using var reader = new TensorBoardEventFileReader(path);
        reader.ReadAvailable().Should().HaveCount(2);
        reader.CorruptRecords.Should().Be(1);

        using (var append = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
        {
            append.Write(Frame(ScalarEvent(8).ToByteArray()));
        }

        reader.ReadAvailable().Select(e => e.Step).Should().Equal(8L);
        reader.CorruptRecords.Should().Be(1);
    }

    [Theory]
    [InlineData(1UL << 62, true)]
    [InlineData(1UL << 62, false)]
    [InlineData(ulong.MaxValue, true)]
    [InlineData((ulong)TfRecordScanner.MaxRecordLength + 1, true)]
    public void ReadAvailable_ForgedHugeLength_IsCorruptWithoutAllocatingIt(ulong length, bool validLengthCrc)
    {
        var header = Header(length);
        if (!validLengthCrc)
        {
            header[8] ^= 0xFF;
        }

        var bytes = Builder(1).Raw(header).Raw(new byte[100]).Summary(5, SimpleValue("loss", 1f)).ToArray();
        using var reader = ReaderFor(bytes);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var events = reader.ReadAvailable();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        events.Select(e => e.Step).Should().Equal(0L, 1L, 5L);
        reader.CorruptRecords.Should().Be(1);
        allocated.Should().BeLessThan(1 << 20);
    }

    [Fact]
    public void ReadAvailable_ForgedLengthBelowTheCapBeyondTheFile_WaitsWithoutAllocatingIt()
    {
        var bytes = Builder(1).Raw(Header(200 * 1024 * 1024)).Raw(new byte[1000]).ToArray();
        using var reader = ReaderFor(bytes);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var events = reader.ReadAvailable();
        reader.ReadAvailable().Should().BeEmpty();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        events.Should().HaveCount(2);
        reader.HasPartialRecord.Should().BeTrue("a writer may still be writing a 200 MiB record");
        reader.CorruptRecords.Should().Be(0);
        allocated.Should().BeLessThan(1 << 20, "only bytes present in the file are buffered");
    }

    [Fact]
    public void ReadAvailable_RecordLargerThanTheBuffer_IsReadWhole()
    {
        var large = new byte[3 * 1024 * 1024];
        new Random(8).NextBytes(large);
        var bytes = Builder(1).Event(new Event { Step = 2, GraphDef = ByteString.CopyFrom(large) }).Summary(3, SimpleValue("loss", 1f)).ToArray();

        using var reader = ReaderFor(bytes);

        reader.ReadAvailable().Select(e => (e.Step, e.Content)).Should().Equal(
            (0L, TensorBoardEventContent.FileVersion), (1L, TensorBoardEventContent.Summary), (2L, TensorBoardEventContent.GraphDef), (3L, TensorBoardEventContent.Summary));
        reader.Position.Should().Be(bytes.Length);
    }

    [Fact]
    public void ReadAvailable_LargeRecordArrivingInPieces_IsReadOnceComplete()
    {
        var large = Frame(new Event { Step = 4, GraphDef = ByteString.CopyFrom(new byte[500_000]) }.ToByteArray());
        var path = _directory.File("events.out.tfevents.6");
        File.WriteAllBytes(path, []);
        using var reader = new TensorBoardEventFileReader(path);

        for (var offset = 0; offset < large.Length; offset += 70_000)
        {
            reader.ReadAvailable().Should().BeEmpty();
            using var append = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            append.Write(large.AsSpan(offset, Math.Min(70_000, large.Length - offset)));
        }

        reader.ReadAvailable().Should().ContainSingle().Which.Content.Should().Be(TensorBoardEventContent.GraphDef);
        reader.HasPartialRecord.Should().BeFalse();
    }

    [Fact]
    public void ReadAvailable_MaxEvents_ReturnsAtMostThatManyAndTheRestLater()
    {
        using var reader = ReaderFor(Builder(9).ToArray());

        reader.ReadAvailable(4).Select(e => e.Step).Should().Equal(0L, 1L, 2L, 3L);
        reader.ReadAvailable(0).Should().BeEmpty();
        reader.ReadAvailable(4).Select(e => e.Step).Should().Equal(4L, 5L, 6L, 7L);
        reader.ReadAvailable().Select(e => e.Step).Should().Equal(8L, 9L);
    }

    [Fact]
    public void ReadAvailable_NegativeMaxEvents_Throws()
    {
        using var reader = ReaderFor(Builder(1).ToArray());

        var act = () => reader.ReadAvailable(-1);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void ReadAvailable_AfterDispose_Throws()
    {
        var reader = ReaderFor(Builder(1).ToArray());
        reader.Dispose();
        reader.Dispose();

        var act = () => reader.ReadAvailable();

        act.Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void ReadAvailable_FileDeletedWhileOpen_StillReadsIt()
    {
        var path = Builder(2).WriteTo(_directory.File("events.out.tfevents.7"));
        using var reader = new TensorBoardEventFileReader(path);

        File.Delete(path);

        reader.ReadAvailable().Should().HaveCount(3);
    }

    private static EventFileBuilder Builder(int summaries)
    {
        var builder = new EventFileBuilder().FileVersion();
        for (var step = 1; step <= summaries; step++)
        {
            builder.Event(ScalarEvent(step));
        }

        return builder;
    }

    private static Event ScalarEvent(long step) =>
        new() { WallTime = 1_700_000_000 + step, Step = step, Summary = new Summary { Value = { SimpleValue("loss", 1f / step) } } };

    private TensorBoardEventFileReader ReaderFor(byte[] bytes)
    {
        var path = _directory.File($"events.out.tfevents.{Guid.NewGuid():N}");
        File.WriteAllBytes(path, bytes);
        return new TensorBoardEventFileReader(path);
    }
}
