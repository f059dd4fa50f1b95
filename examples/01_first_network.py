# %%
# In a fresh hosted notebook (Colab, Kaggle), remove the "#" before %pip and
# run this cell first: it installs kerasteach (or the wheel your teacher gives).
# # %pip install kerasteach

# %% [markdown]
# # 1. A first network: logistic regression on MNIST
#
# The smallest network that learns something: every pixel of a 28x28 digit
# goes straight into ten output units, one per digit, and softmax turns their
# values into probabilities. If this runs and reaches about 92% on the test
# set, Keras works on your computer.
#
# Run it: `python examples/01_first_network.py` (add `--quick` for a check).

# %%
import kerasteach.quiet  # first, before Keras: no TensorFlow start-up messages

import keras
from kerasteach.course import load_images, options, output_folder, save_results, score

import kerasteach

args = options("A first network: logistic regression on MNIST", epochs=10)
out = output_folder(args, "01_first_network")

# %% [markdown]
# ## The data
# 60,000 training images, 10,000 test images. `flatten=True` gives each image
# as one row of 784 numbers; `normalize=True` scales pixels to [0, 1].

# %%
data = load_images("mnist", args.quick, normalize=True, flatten=True)
(x_train, y_train), (x_test, y_test) = data
print(x_train.shape, y_train[:10])

# %% [markdown]
# ## The model: one Dense layer

# %%
keras.utils.set_random_seed(0)
model = keras.Sequential(
    [keras.Input((784,)), keras.layers.Dense(10, activation="softmax", name="digit")],
    name="logistic_regression",
)
kerasteach.summary(model).print()
model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])

# %% [markdown]
# ## Training, with a progress bar and a live plot of the curves

# %%
history = model.fit(
    x_train,
    y_train,
    epochs=args.epochs,
    batch_size=128,
    validation_split=0.1,
    verbose=0,
    callbacks=[kerasteach.TqdmProgress(), kerasteach.LivePlot(out / "curves.png")],
)

# %% [markdown]
# ## How good is it on images it never saw?

# %%
loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"Test accuracy: {score(data, accuracy)}")
save_results(out, {"logistic regression": accuracy})
