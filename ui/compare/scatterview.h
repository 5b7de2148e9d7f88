#pragma once

// Work in progress: scatterview
