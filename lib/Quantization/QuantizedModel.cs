using static TorchSharp.torch;

namespace PruningLab.Quantization;

/// <summary>
/// The quantized weights of a model by parameter name, disposed together: <c>using var quantized = …</c> frees every
/// code and value tensor at once.
/// </summary>
public sealed class QuantizedModel : Dictionary<string, QuantizedWeight>, IDisposable
{
    /// <summary>Disposes every quantized weight and empties the dictionary.</summary>
    public void Dispose()
    {
        foreach (var weight in Values) weight.Dispose();
        Clear();
    }
}
