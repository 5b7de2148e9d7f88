#pragma once

// Work in progress: barsview
