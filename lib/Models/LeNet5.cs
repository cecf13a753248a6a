using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruningLab.Models;

/// <summary>
/// LeNet-5 (LeCun et al., 1998) for 28×28 inputs: two 5×5 convolutions with max-pooling and three fully
/// connected layers (120, 84, 10). The small convolutional network of the course, used from lesson 03 on
/// for kernel- and channel-granularity pruning.
/// </summary>
/// <remarks>Layers are named <c>conv1</c>, <c>conv2</c>, <c>fc1</c>, <c>fc2</c>, <c>fc3</c>.</remarks>
public sealed class LeNet5 : nn.Module<Tensor, Tensor>, ICourseModel
{
    private readonly Conv2d conv1;
    private readonly Conv2d conv2;
    private readonly Linear fc1;
    private readonly Linear fc2;
    private readonly Linear fc3;

    /// <summary>Creates the network with PyTorch's default initialisation.</summary>
    public LeNet5() : base(ModelZoo.LeNet5)
    {
        conv1 = nn.Conv2d(1, 6, kernel_size: 5, padding: 2);   // 28×28 → 28×28, pooled to 14×14
        conv2 = nn.Conv2d(6, 16, kernel_size: 5);              // 14×14 → 10×10, pooled to 5×5
        fc1 = nn.Linear(16 * 5 * 5, 120);
        fc2 = nn.Linear(120, 84);
        fc3 = nn.Linear(84, 10);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public long[] InputShape => [1, 28, 28];

    /// <summary>Maps a batch of images [N,1,28,28] to class logits [N,10].</summary>
    public override Tensor forward(Tensor input)
    {
        // call() rather than forward(): only call() runs forward hooks (SparsityReport measures convolution outputs with them).
        using var scope = NewDisposeScope();
        var x = nn.functional.max_pool2d(nn.functional.relu(conv1.call(input)), 2);
        x = nn.functional.max_pool2d(nn.functional.relu(conv2.call(x)), 2);
        x = x.flatten(1);
        x = nn.functional.relu(fc1.call(x));
        x = nn.functional.relu(fc2.call(x));
        return fc3.call(x).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) { conv1.Dispose(); conv2.Dispose(); fc1.Dispose(); fc2.Dispose(); fc3.Dispose(); }
        base.Dispose(disposing);
    }
}
