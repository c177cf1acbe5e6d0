using SkiaSharp;

namespace TrainInsight.Torch.Vision;

/// <summary>
/// Loads an image-classification data set laid out as one sub-folder per class (<c>root/cat/001.png</c>,
/// <c>root/dog/001.jpg</c>, …). Class folders are sorted ordinally and numbered from 0; images are decoded with
/// SkiaSharp, resized and converted to RGB or grey-scale.
/// </summary>
public static class ImageFolder
{
    /// <summary>Gets the file extensions read as images (compared case-insensitively); other files are ignored.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    /// <summary>Loads every image under <paramref name="root"/>.</summary>
    /// <param name="root">The folder holding one sub-folder per class; the sub-folder names are the class names.</param>
    /// <param name="width">The width every image is resized to.</param>
    /// <param name="height">The height every image is resized to.</param>
    /// <param name="channels">3 for RGB (alpha is dropped), 1 for grey-scale (ITU-R BT.601 luma). The default is 3.</param>
    /// <param name="limitPerClass">Keeps only the first <paramref name="limitPerClass"/> images of each class (in ordinal
    /// file-name order), or <see langword="null"/> for all.</param>
    /// <returns>The data set, images in class order and, within a class, in ordinal file-name order.</returns>
    /// <exception cref="DirectoryNotFoundException"><paramref name="root"/> does not exist.</exception>
    /// <exception cref="InvalidDataException"><paramref name="root"/> has no class folders or more than 256, a class folder holds
    /// no images, or an image cannot be decoded; the message names the folder or file.</exception>
    public static ImageClassificationData Load(string root, int width, int height, int channels = 3, int? limitPerClass = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (channels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1 (grey-scale) or 3 (RGB).");
        }

        if (limitPerClass is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(limitPerClass), limitPerClass, "limitPerClass must be at least 1.");
        }

        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"Image folder '{root}' does not exist.");
        }

        var classFolders = Directory.GetDirectories(root).Order(StringComparer.Ordinal).ToArray();
        if (classFolders.Length == 0)
        {
            throw new InvalidDataException($"'{root}' holds no class folders; put each class's images in a sub-folder named after the class.");
        }

        if (classFolders.Length > byte.MaxValue + 1)
        {
            throw new InvalidDataException($"'{root}' holds {classFolders.Length:N0} class folders; at most {byte.MaxValue + 1} are supported.");
        }

        var files = new List<(string Path, byte Label)>();
        for (var label = 0; label < classFolders.Length; label++)
        {
            var images = Directory.EnumerateFiles(classFolders[label])
                .Where(IsImage)
                .Order(StringComparer.Ordinal)
                .Take(limitPerClass ?? int.MaxValue)
                .ToArray();
            if (images.Length == 0)
            {
                throw new InvalidDataException(
                    $"Class folder '{classFolders[label]}' holds no images (looked for {string.Join(", ", Extensions)}).");
            }

            files.AddRange(images.Select(path => (path, (byte)label)));
        }

        var imageSize = (long)channels * width * height;
        if (files.Count * imageSize > Array.MaxLength)
        {
            throw new InvalidDataException(
                $"'{root}' holds {files.Count:N0} images of {imageSize:N0} bytes each, more than can be loaded at once; pass a smaller size or limitPerClass.");
        }

        var pixels = new byte[files.Count * imageSize];
        var labels = new byte[files.Count];
        for (var i = 0; i < files.Count; i++)
        {
            labels[i] = files[i].Label;
            Decode(files[i].Path, width, height, channels, pixels.AsSpan((int)(i * imageSize), (int)imageSize));
        }

        var classNames = classFolders.Select(folder => Path.GetFileName(folder)).ToArray();
        return new ImageClassificationData(pixels, labels, channels, height, width, classNames);
    }

    private static bool IsImage(string path) =>
        Extensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    private static void Decode(string path, int width, int height, int channels, Span<byte> destination)
    {
        using var decoded = DecodeFile(path);
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var resized = decoded.Resize(info, SKFilterQuality.Medium)
            ?? throw new InvalidDataException($"'{path}' ({decoded.Width} × {decoded.Height}, {decoded.ColorType}) could not be resized to {width} × {height}.");
        var source = resized.GetPixelSpan();
        var planeSize = width * height;
        for (var y = 0; y < height; y++)
        {
            var row = source.Slice(y * resized.RowBytes, width * 4);
            for (var x = 0; x < width; x++)
            {
                var offset = (y * width) + x;
                var (r, g, b) = (row[x * 4], row[(x * 4) + 1], row[(x * 4) + 2]);
                if (channels == 1)
                {
                    destination[offset] = (byte)(((299 * r) + (587 * g) + (114 * b) + 500) / 1000);
                }
                else
                {
                    destination[offset] = r;
                    destination[planeSize + offset] = g;
                    destination[(2 * planeSize) + offset] = b;
                }
            }
        }
    }

    private static SKBitmap DecodeFile(string path)
    {
        SKBitmap? bitmap;
        try
        {
            using var stream = File.OpenRead(path);
            bitmap = SKBitmap.Decode(stream);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or NotSupportedException)
        {
            throw new InvalidDataException($"'{path}' could not be decoded as an image: {ex.Message}", ex);
        }

        return bitmap ?? throw new InvalidDataException($"'{path}' could not be decoded as an image; it is corrupt or not in a supported format.");
    }
}
