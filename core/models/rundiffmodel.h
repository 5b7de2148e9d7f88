#pragma once

// Work in progress: item model of a RunDiff
