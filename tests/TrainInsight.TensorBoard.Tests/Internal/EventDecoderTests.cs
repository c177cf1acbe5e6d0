using Google.Protobuf;
using TrainInsight.TensorBoard.Protos;
using TrainInsight.TensorBoard.Tests.Infrastructure;
using static TrainInsight.TensorBoard.Tests.Infrastructure.EventFileBuilder;

namespace TrainInsight.TensorBoard.Tests.Internal;

/// <summary>How each kind of event record decodes, through files written in the documented format.</summary>
public sealed class EventDecoderTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Decode_FileWithoutFileVersionRecord_ReadsItsSummaries()
    {
        var events = Read(new EventFileBuilder().Summary(1, SimpleValue("loss", 1f)).Summary(2, SimpleValue("loss", 0.5f)));

        events.Select(e => (e.Content, e.Step, e.Values[0].Value)).Should().Equal(
            (TensorBoardEventContent.Summary, 1L, 1.0), (TensorBoardEventContent.Summary, 2L, 0.5));
        events.Should().OnlyContain(e => e.FileVersion == null);
    }

    [Fact]
    public void Decode_StepAbsentOnTheWire_IsZero()
    {
        var summary = new Summary { Value = { SimpleValue("loss", 2f) } };
        var e = new Event { WallTime = 12.5, Summary = summary };
        e.ToByteArray().Should().NotContain(0x10, "step 0 is not written (field 2, varint, tag 0x10)");

        var decoded = Read(new EventFileBuilder().Event(e)).Should().ContainSingle().Subject;

        decoded.Step.Should().Be(0);
        decoded.WallTime.Should().Be(12.5);
        decoded.Values.Should().ContainSingle().Which.Value.Should().Be(2);
    }

    [Fact]
    public void Decode_DuplicateTagAndStep_KeepsBothInFileOrder()
    {
        var events = Read(new EventFileBuilder().Summary(3, SimpleValue("loss", 1f)).Summary(3, SimpleValue("loss", 2f)));

        events.Select(e => (e.Step, e.Values[0].Tag, e.Values[0].Value)).Should().Equal((3L, "loss", 1.0), (3L, "loss", 2.0));
    }

    [Fact]
    public void Decode_SeveralValuesInOneSummary_KeepsWireOrder()
    {
        var e = Read(new EventFileBuilder().Summary(1, SimpleValue("b", 2f), SimpleValue("a", 1f), SimpleValue("c", 3f))).Single();

        e.Values.Select(v => v.Tag).Should().Equal("b", "a", "c");
    }

    [Fact]
    public void Decode_UnknownFieldsEverywhere_AreIgnored()
    {
        // A Summary.Value with an unknown field (99), inside a Summary with an unknown field (42), inside an Event with
        // source_metadata (10) and unknown fields of every wire type (77, 78, 11 to 14, a group).
        var valueBytes = SimpleValue("loss", 0.5f).ToByteArray().Concat(VarintField(99, 12345)).ToArray();
        var summaryBytes = LengthDelimitedField(1, valueBytes).Concat(LengthDelimitedField(42, "x"u8)).ToArray();
        var eventBytes = new Event { WallTime = 1, Step = 7 }.ToByteArray()
            .Concat(LengthDelimitedField(5, summaryBytes))
            .Concat(LengthDelimitedField(10, LengthDelimitedField(1, "writer"u8)))
            .Concat(VarintField(77, 1))
            .Concat(LengthDelimitedField(78, [1, 2, 3]))
            .Concat(new byte[] { (11 << 3) | 5, 1, 2, 3, 4 })
            .Concat(new byte[] { (12 << 3) | 1, 1, 2, 3, 4, 5, 6, 7, 8 })
            .Concat(new byte[] { (13 << 3) | 3, (14 << 3) | 0, 5, (13 << 3) | 4 })
            .ToArray();

        using var reader = ReaderFor(new EventFileBuilder().Record(eventBytes));
        var e = reader.ReadAvailable().Should().ContainSingle().Subject;

        reader.UnreadableRecords.Should().Be(0);
        (e.Step, e.Content).Should().Be((7L, TensorBoardEventContent.Summary));
        e.Values.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Tag = "loss", Kind = TensorBoardValueKind.Scalar, Value = 0.5 });
    }

    [Fact]
    public void Decode_OtherEventKinds_ReportTheirContent()
    {
        var events = Read(new EventFileBuilder()
            .FileVersion("brain.Event:2")
            .Event(new Event { Step = 1, GraphDef = ByteString.CopyFrom(new byte[70_000]) })
            .Event(new Event { Step = 2, MetaGraphDef = ByteString.CopyFrom(1, 2, 3) })
            .Event(new Event { Step = 3, LogMessage = new LogMessage { Level = 30, Message = "warn" } })
            .Event(new Event { Step = 4, SessionLog = new SessionLog { Status = 1, Msg = "start" } })
            .Event(new Event { Step = 5, TaggedRunMetadata = new TaggedRunMetadata { Tag = "step5", RunMetadata = ByteString.CopyFrom(9) } })
            .Event(new Event { Step = 6, WallTime = 6 })
            .Record(VarintField(99, 1)));

        events.Select(e => e.Content).Should().Equal(
            TensorBoardEventContent.FileVersion,
            TensorBoardEventContent.GraphDef,
            TensorBoardEventContent.MetaGraphDef,
            TensorBoardEventContent.LogMessage,
            TensorBoardEventContent.SessionLog,
            TensorBoardEventContent.RunMetadata,
            TensorBoardEventContent.Empty,
            TensorBoardEventContent.Other);
        events[0].FileVersion.Should().Be("brain.Event:2");
        events.Skip(1).Should().OnlyContain(e => e.FileVersion == null && e.Values.Count == 0);
    }

    [Fact]
    public void Decode_EmptyPayload_IsAnEmptyEvent()
    {
        var e = Read(new EventFileBuilder().Record([])).Should().ContainSingle().Subject;

        (e.Content, e.Step, e.WallTime).Should().Be((TensorBoardEventContent.Empty, 0L, 0.0));
    }

    [Fact]
    public void Decode_SummaryFieldTwice_MergesTheValues()
    {
        var first = new Summary { Value = { SimpleValue("a", 1f) } }.ToByteArray();
        var second = new Summary { Value = { SimpleValue("b", 2f) } }.ToByteArray();
        var payload = LengthDelimitedField(5, first).Concat(LengthDelimitedField(5, second)).ToArray();

        var e = Read(new EventFileBuilder().Record(payload)).Single();

        e.Values.Select(v => v.Tag).Should().Equal("a", "b");
    }

    [Theory]
    [InlineData(new byte[] { 0xFF })]                                  // a truncated varint tag
    [InlineData(new byte[] { 0x00, 0x01 })]                            // field number 0
    [InlineData(new byte[] { 0x09, 0x00, 0x00 })]                      // wall_time cut short
    [InlineData(new byte[] { 0x2A, 0x05, 0x0A })]                      // summary longer than the payload
    [InlineData(new byte[] { 0x2A, 0x02, 0x0A, 0x7F })]                // summary holding a value cut short
    [InlineData(new byte[] { 0x7E })]                                  // wire type 6
    [InlineData(new byte[] { 0x7C })]                                  // an end-group tag without its start
    [InlineData(new byte[] { 0x10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 })] // an 11-byte varint
    public void Decode_PayloadThatIsNotAnEvent_CountsItUnreadableAndReadsOn(byte[] payload)
    {
        using var reader = ReaderFor(new EventFileBuilder().FileVersion().Record(payload).Summary(9, SimpleValue("loss", 1f)));

        var events = reader.ReadAvailable();

        events.Select(e => e.Content).Should().Equal(TensorBoardEventContent.FileVersion, TensorBoardEventContent.Summary);
        reader.UnreadableRecords.Should().Be(1);
        reader.RecordsRead.Should().Be(3, "the unreadable record's CRCs were valid");
        reader.CorruptRecords.Should().Be(0);
    }

    [Fact]
    public void Decode_InvalidUtf8InATag_IsUnreadableNotThrown()
    {
        var value = new Summary.Types.Value { SimpleValue = 1 }.ToByteArray().Concat(LengthDelimitedField(1, [0x6C, 0xFF, 0xFE])).ToArray();
        var payload = LengthDelimitedField(5, LengthDelimitedField(1, value));

        using var reader = ReaderFor(new EventFileBuilder().Record(payload).Summary(2, SimpleValue("ok", 1f)));
        var events = reader.ReadAvailable();

        events.Select(e => e.Step).Should().Equal(2L);
        reader.UnreadableRecords.Should().Be(1, "protobuf rejects a string field that is not UTF-8");
    }

    [Fact]
    public void Decode_InvalidUtf8InFileVersionOrText_IsReplacedNotRejected()
    {
        var text = TensorValue("notes", StringTensor([0x61, 0xFF]), "text");
        var payload = LengthDelimitedField(3, [0x62, 0xFE]);

        var events = Read(new EventFileBuilder().Record(payload).Summary(1, text));

        events[0].FileVersion.Should().Be("b�");
        events[1].Values[0].Text.Should().Be("a�", "text tensors hold bytes; invalid UTF-8 becomes U+FFFD");
    }

    private List<TensorBoardEvent> Read(EventFileBuilder builder)
    {
        using var reader = ReaderFor(builder);
        var events = reader.ReadAvailable().ToList();
        reader.UnreadableRecords.Should().Be(0);
        reader.CorruptRecords.Should().Be(0);
        return events;
    }

    private TensorBoardEventFileReader ReaderFor(EventFileBuilder builder) =>
        new(builder.WriteTo(_directory.File($"events.out.tfevents.{Guid.NewGuid():N}")));
}
