using PruningLab.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruningLab.Structured;

/// <summary>What one layer costs per input image.</summary>
/// <param name="Name">The module's name.</param>
/// <param name="Kind">Conv2d, Linear, BatchNorm.</param>
/// <param name="Parameters">Its parameters (weights, biases, γ, β).</param>
/// <param name="Macs">Multiply-accumulates per input of a dense kernel: weights × output positions for a convolution,
/// weights for a linear layer, 0 for BatchNorm (folded into the convolution at inference).</param>
public sealed record LayerCost(string Name, string Kind, long Parameters, long Macs);

/// <summary>
/// Parameters, multiply-accumulates and bytes of a model (lesson 04): what channel pruning really removes. Zeros
/// count like any other value here: a dense kernel multiplies them too.
/// </summary>
/// <param name="Architecture">The model's architecture name.</param>
/// <param name="Layers">Convolutions, linear layers and BatchNorms, in model order.</param>
/// <param name="Bytes">Parameters and buffers (running statistics) as stored: what a checkpoint holds, without its header.</param>
public sealed record ModelCost(string Architecture, IReadOnlyList<LayerCost> Layers, long Bytes)
{
    /// <summary>All parameters.</summary>
    public long Parameters => Layers.Sum(l => l.Parameters);
    /// <summary>All multiply-accumulates per input.</summary>
    public long Macs => Layers.Sum(l => l.Macs);

    /// <summary>Measures <paramref name="model"/>; convolution output sizes come from one forward pass of a zero input (<see cref="ICourseModel.InputShape"/>).</summary>
    public static ModelCost Of(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var positions = Pruning.SparsityReport.OutputPositions(model, null);
        var layers = new List<LayerCost>();
        foreach (var (name, module) in model.named_modules())
        {
            var parameters = module.parameters(recurse: false).Sum(p => p.numel());
            switch (module)
            {
                case Conv2d conv: layers.Add(new(name, "Conv2d", parameters, conv.weight!.numel() * positions[name + ".weight"])); break;
                case Linear linear: layers.Add(new(name, "Linear", parameters, linear.weight!.numel())); break;
                case BatchNorm2d or BatchNorm1d: layers.Add(new(name, "BatchNorm", parameters, 0)); break;
            }
        }
        var bytes = model.state_dict().Values.Sum(t => t.numel() * t.ElementSize);
        return new ModelCost(model.GetName(), layers, bytes);
    }

    /// <summary>A table, one line per layer.</summary>
    public override string ToString() =>
        string.Join("\n", Layers.Select(l => $"{l.Name,-16} {l.Kind,-9} {l.Parameters,9:N0} parameters {l.Macs,12:N0} MACs"))
        + $"\n{"total",-26} {Parameters,9:N0} parameters {Macs,12:N0} MACs, {Bytes:N0} bytes";
}
