namespace TrainInsight.Sqlite.Internal;

/// <summary>
/// How a double is kept exactly. SQLite stores NaN as NULL, and may store a REAL without fraction as an integer,
/// losing the sign of -0.0. So a value is written to two columns: <c>value REAL</c> holds every other value (exact:
/// REAL is an IEEE-754 double), and for NaN, ±Infinity and -0.0 <c>value</c> is NULL and <c>value_bits INTEGER</c>
/// holds the value's 64 bits (<see cref="BitConverter.DoubleToInt64Bits"/>), so even a NaN's payload round-trips.
/// </summary>
internal static class StoredValues
{
    public static bool NeedsBits(double value) => !double.IsFinite(value) || (value == 0 && double.IsNegative(value));

    public static object ToValueColumn(double value) => NeedsBits(value) ? DBNull.Value : value;

    public static object ToBitsColumn(double value) => NeedsBits(value) ? BitConverter.DoubleToInt64Bits(value) : DBNull.Value;

    public static double Read(Microsoft.Data.Sqlite.SqliteDataReader reader, int valueOrdinal, int bitsOrdinal) =>
        reader.IsDBNull(valueOrdinal) ? BitConverter.Int64BitsToDouble(reader.GetInt64(bitsOrdinal)) : reader.GetDouble(valueOrdinal);

    public static long ToTicks(DateTimeOffset time) => time.UtcTicks;

    public static DateTimeOffset FromTicks(long ticks) => new(ticks, TimeSpan.Zero);
}
