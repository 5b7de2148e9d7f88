#pragma once

// Work in progress: parallelcoordinatesview
